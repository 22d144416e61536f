import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{i as r,n as i,r as a,u as o}from"./index-CXiXZFTj.js";import{_ as s,a as c,b as l,c as u,i as d,l as f,m as p,n as m,o as h,p as g,r as _,s as v,t as y,u as b,x}from"./errors-U9BwhUE6.js";import{t as S}from"./ProjectNav-BlFMUGKB.js";var C=e(n(),1),w=t(),T=m(`
  query ProjectDomains($organization: String!, $project: String!) {
    project(organization: $organization, slug: $project) {
      id
      name
      domains {
        id
        hostname
        redirectTo
        status
        lastError
        checks
        hstsMaxAge
        hstsIncludeSubdomains
        createdAt
        dnsRecords {
          recordType
          name
          value
        }
        certificate {
          status
          issuer
          notAfter
          error
        }
      }
    }
  }
`),E=m(`
  mutation AddDomain($organization: String!, $project: String!, $hostname: String!, $redirectTo: String) {
    addDomain(organization: $organization, project: $project, hostname: $hostname, redirectTo: $redirectTo) {
      id
      hostname
    }
  }
`),D=m(`
  mutation VerifyDomain($id: String!) {
    verifyDomain(id: $id) {
      id
      status
      lastError
      checks
    }
  }
`),O=m(`
  mutation SetDomainHsts($id: String!, $maxAgeSeconds: Int!, $includeSubdomains: Boolean!) {
    setDomainHsts(id: $id, maxAgeSeconds: $maxAgeSeconds, includeSubdomains: $includeSubdomains) {
      id
      hstsMaxAge
      hstsIncludeSubdomains
    }
  }
`),k=m(`
  mutation RemoveDomain($id: String!) {
    removeDomain(id: $id)
  }
`);function A(){let{project:e=``}=o(),t=a(),[n,s]=x({query:T,variables:{organization:t.slug,project:e}});r(s);let c=n.data?.project;if(n.fetching&&!c)return(0,w.jsx)(f,{what:`Loading the domains`});if(!c)return(0,w.jsx)(_,{messages:y(n.error).general});let l=()=>s({requestPolicy:`network-only`});return(0,w.jsxs)(w.Fragment,{children:[(0,w.jsx)(S,{org:t.slug,project:e,name:c.name}),i(t.role,`DEVELOPER`)&&(0,w.jsx)(j,{slug:e,onAdded:l}),c.domains.length===0?(0,w.jsx)(v,{children:`No custom domains yet. The project is served at its CloudDeck address.`}):c.domains.map(e=>(0,w.jsx)(M,{domain:e,onChange:l},e.id))]})}function j({slug:e,onAdded:t}){let n=a(),[r,i]=(0,C.useState)(``),[o,s]=(0,C.useState)(``),[f,p]=l(E),m=y(f.error);async function h(a){a.preventDefault(),(await p({organization:n.slug,project:e,hostname:r.trim(),redirectTo:o.trim()||null})).error||(i(``),s(``),t())}return(0,w.jsx)(c,{title:`Add domain`,children:(0,w.jsxs)(`form`,{onSubmit:h,className:`flex flex-col gap-3`,children:[(0,w.jsxs)(`div`,{className:`grid gap-3 sm:grid-cols-2`,children:[(0,w.jsx)(u,{label:`Hostname`,name:`hostname`,required:!0,placeholder:`www.example.com`,autoCapitalize:`none`,value:r,onChange:e=>i(e.target.value),error:m.fields.hostname}),(0,w.jsx)(u,{label:`Redirect to`,name:`redirectTo`,placeholder:`example.com`,autoCapitalize:`none`,value:o,onChange:e=>s(e.target.value),error:m.fields.redirectTo,hint:`optional: another of this project's domains, answered with a 308 redirect`})]}),(0,w.jsx)(_,{messages:m.general}),(0,w.jsx)(`div`,{children:(0,w.jsx)(d,{type:`submit`,disabled:f.fetching,children:`Add domain`})})]})})}function M({domain:e,onChange:t}){let n=a(),r=i(n.role,`DEVELOPER`),[o,u]=l(D),[m,v]=l(k),[x,S]=(0,C.useState)(!1),T=e.certificate,E=e.status===`PENDING_VERIFICATION`||e.status===`FAILED`;async function O(){await u({id:e.id}),t()}async function A(){(await v({id:e.id})).error||(S(!1),t())}return(0,w.jsxs)(c,{title:(0,w.jsxs)(`span`,{className:`flex flex-wrap items-center gap-2`,"data-domain":e.hostname,children:[(0,w.jsx)(`span`,{className:`break-all`,children:e.hostname}),` `,(0,w.jsx)(g,{value:e.status})]}),actions:r&&(0,w.jsxs)(w.Fragment,{children:[E&&(0,w.jsx)(d,{variant:`secondary`,disabled:o.fetching,"aria-busy":o.fetching,onClick:O,children:`Verify now`}),(0,w.jsx)(d,{variant:`secondary`,onClick:()=>S(!0),children:`Remove`})]}),children:[(0,w.jsxs)(`div`,{className:`flex flex-col gap-3 text-sm`,children:[e.redirectTo&&(0,w.jsxs)(`p`,{children:[`Redirects (308) to `,(0,w.jsx)(h,{children:e.redirectTo}),`.`]}),o.fetching&&(0,w.jsx)(f,{what:`Checking the DNS records (up to 15 seconds)`}),e.lastError&&(0,w.jsx)(`p`,{className:`text-red-700 dark:text-red-400`,children:e.lastError}),(0,w.jsxs)(`p`,{className:`text-xs text-zinc-500`,children:[`Added `,s(e.createdAt),` · `,e.checks,` DNS `,e.checks===1?`check`:`checks`,` so far`]}),(0,w.jsx)(_,{messages:y(o.error).general}),(0,w.jsxs)(`div`,{children:[(0,w.jsx)(`p`,{className:`mb-1`,children:`Create these records at your DNS provider (the TXT record proves the domain is yours; the other points it here):`}),(0,w.jsx)(p,{head:[`Type`,`Name`,`Value`],children:e.dnsRecords.map(e=>(0,w.jsxs)(`tr`,{"data-testid":`dns-record`,children:[(0,w.jsx)(`td`,{className:`px-2 py-2 font-mono text-xs`,children:e.recordType}),(0,w.jsx)(`td`,{className:`min-w-40 px-2 py-2`,children:(0,w.jsx)(h,{children:e.name})}),(0,w.jsx)(`td`,{className:`min-w-40 px-2 py-2`,children:(0,w.jsx)(h,{children:e.value})})]},`${e.recordType} ${e.name} ${e.value}`))})]}),(0,w.jsxs)(`div`,{children:[(0,w.jsx)(`p`,{className:`font-medium`,children:`Certificate`}),T?(0,w.jsxs)(`p`,{className:`flex flex-wrap items-center gap-2 text-xs`,children:[(0,w.jsx)(g,{value:T.status}),T.issuer&&(0,w.jsxs)(`span`,{children:[`by `,T.issuer]}),T.notAfter&&(0,w.jsxs)(`span`,{children:[`valid until `,s(T.notAfter)]}),T.error&&(0,w.jsx)(`span`,{className:`text-red-700 dark:text-red-400`,children:T.error})]}):(0,w.jsx)(`p`,{className:`text-xs text-zinc-500`,children:`Ordered once the domain is verified.`})]}),(0,w.jsxs)(`p`,{className:`text-xs`,children:[`HSTS: `,e.hstsMaxAge>0?(0,w.jsx)(h,{children:`max-age=${e.hstsMaxAge}${e.hstsIncludeSubdomains?`; includeSubDomains`:``}`}):`off`]}),i(n.role,`ADMIN`)&&(0,w.jsx)(N,{domain:e,onSaved:t})]}),(0,w.jsx)(b,{open:x,onOpenChange:S,title:`Remove ${e.hostname}?`,children:(0,w.jsxs)(`div`,{className:`flex flex-col gap-3 text-sm`,children:[(0,w.jsx)(`p`,{children:`The domain stops serving at once, and its hostname is free again.`}),(0,w.jsx)(_,{messages:y(m.error).general}),(0,w.jsxs)(`div`,{className:`flex flex-wrap justify-end gap-2`,children:[(0,w.jsx)(d,{variant:`secondary`,onClick:()=>S(!1),children:`Cancel`}),(0,w.jsx)(d,{variant:`danger`,disabled:m.fetching,onClick:A,children:`Remove domain`})]})]})})]})}function N({domain:e,onSaved:t}){let[n,r]=(0,C.useState)(String(e.hstsMaxAge)),[i,a]=(0,C.useState)(e.hstsIncludeSubdomains),[o,s]=l(O),c=y(o.error);async function f(r){r.preventDefault(),(await s({id:e.id,maxAgeSeconds:Number(n),includeSubdomains:i})).error||t()}return(0,w.jsxs)(`form`,{onSubmit:f,className:`flex flex-col gap-3 rounded-md border border-zinc-200 p-3 sm:flex-row sm:items-end dark:border-zinc-800`,children:[(0,w.jsx)(u,{label:`HSTS max-age (seconds)`,id:`hsts-${e.id}`,name:`maxAgeSeconds`,type:`number`,min:0,max:63072e3,required:!0,value:n,onChange:e=>r(e.target.value),error:c.fields.maxAgeSeconds,hint:`0 turns it off; browsers then refuse plain HTTP for this long, so set it once HTTPS works`}),(0,w.jsxs)(`label`,{className:`flex items-center gap-2 text-sm sm:pb-2`,children:[(0,w.jsx)(`input`,{type:`checkbox`,checked:i,onChange:e=>a(e.target.checked)}),`Include subdomains`]}),(0,w.jsx)(`div`,{className:`sm:pb-0.5`,children:(0,w.jsx)(d,{type:`submit`,variant:`secondary`,disabled:o.fetching,children:`Save HSTS`})}),(0,w.jsx)(_,{messages:c.general})]})}export{A as default};