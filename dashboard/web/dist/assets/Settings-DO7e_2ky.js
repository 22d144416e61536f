import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{i as r,l as i,n as a,r as o,u as s}from"./index-CXiXZFTj.js";import{_ as c,a as l,b as u,c as d,d as f,f as p,i as m,l as h,m as g,n as _,o as v,r as y,s as b,t as x,u as S,x as C}from"./errors-U9BwhUE6.js";import{t as w}from"./ProjectNav-BlFMUGKB.js";var T=e(n(),1),E=t(),D=_(`
  query ProjectSettingsPage($organization: String!, $project: String!) {
    project(organization: $organization, slug: $project) {
      id
      slug
      name
      settings {
        framework
        installCommand
        buildCommand
        outputDirectory
        rootDirectory
        productionBranch
      }
      envVars {
        key
        target
        updatedAt
      }
    }
  }
`),O=_(`
  mutation UpdateProjectSettings($organization: String!, $project: String!, $settings: ProjectSettingsInput!) {
    updateProjectSettings(organization: $organization, project: $project, settings: $settings) {
      id
      settings {
        framework
        installCommand
        buildCommand
        outputDirectory
        rootDirectory
        productionBranch
      }
    }
  }
`),k=_(`
  mutation SetEnvVar($organization: String!, $project: String!, $key: String!, $value: String!, $target: EnvTarget!) {
    setEnvVar(organization: $organization, project: $project, key: $key, value: $value, target: $target) {
      key
      target
    }
  }
`),A=_(`
  mutation RemoveEnvVar($organization: String!, $project: String!, $key: String!, $target: EnvTarget!) {
    removeEnvVar(organization: $organization, project: $project, key: $key, target: $target)
  }
`),j=_(`
  mutation ConnectGitRepository($organization: String!, $project: String!, $repositoryUrl: String!) {
    connectGitRepository(organization: $organization, project: $project, repositoryUrl: $repositoryUrl) {
      webhookPath
      secret
    }
  }
`),M=_(`
  mutation DeleteProject($organization: String!, $project: String!) {
    deleteProject(organization: $organization, project: $project)
  }
`),N=[[`framework`,`Framework`],[`installCommand`,`Install command`],[`buildCommand`,`Build command`],[`outputDirectory`,`Output directory`],[`rootDirectory`,`Root directory`],[`productionBranch`,`Production branch`]],P=[`PRODUCTION`,`PREVIEW`,`ALL`];function F(){let{project:e=``}=s(),t=o(),[n,i]=C({query:D,variables:{organization:t.slug,project:e}});r(i);let c=n.data?.project;return n.fetching&&!c?(0,E.jsx)(h,{what:`Loading the settings`}):c?(0,E.jsxs)(E.Fragment,{children:[(0,E.jsx)(w,{org:t.slug,project:e,name:c.name}),(0,E.jsx)(I,{slug:e,initial:c.settings},c.id),(0,E.jsx)(R,{slug:e,vars:c.envVars,onChange:()=>i({requestPolicy:`network-only`})}),(0,E.jsx)(z,{slug:e}),a(t.role,`ADMIN`)&&(0,E.jsx)(B,{slug:e})]}):(0,E.jsx)(y,{messages:x(n.error).general})}function I({slug:e,initial:t}){let n=o(),[r,i]=(0,T.useState)(()=>L(t)),[s,c]=(0,T.useState)(!1),[f,p]=u(O),h=x(f.error),[g,_]=(0,T.useState)(t);if(!a(n.role,`ADMIN`))return(0,E.jsx)(l,{title:`Build settings`,children:(0,E.jsx)(`dl`,{className:`grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]`,children:N.map(([e,n])=>(0,E.jsxs)(`div`,{className:`contents`,children:[(0,E.jsx)(`dt`,{className:`font-medium`,children:n}),(0,E.jsx)(`dd`,{className:`text-zinc-600 dark:text-zinc-400`,children:t[e]?(0,E.jsx)(v,{children:t[e]}):`detected at build`})]},e))})});async function b(t){t.preventDefault(),c(!1);let a={};for(let[e]of N){let t=r[e].trim();t!==(g[e]??``)&&(a[e]=t)}let o=(await p({organization:n.slug,project:e,settings:a})).data?.updateProjectSettings.settings;o&&(_(o),i(L(o)),c(!0))}return(0,E.jsx)(l,{title:`Build settings`,children:(0,E.jsxs)(`form`,{onSubmit:b,className:`flex flex-col gap-3`,children:[(0,E.jsx)(`div`,{className:`grid gap-3 sm:grid-cols-2`,children:N.map(([e,t])=>(0,E.jsx)(d,{label:t,name:e,value:r[e],error:h.fields[e],hint:e===`productionBranch`?void 0:`empty: detected at build`,onChange:t=>i(n=>({...n,[e]:t.target.value}))},e))}),(0,E.jsx)(y,{messages:h.general}),(0,E.jsxs)(`div`,{className:`flex flex-wrap items-center gap-3`,children:[(0,E.jsx)(m,{type:`submit`,disabled:f.fetching,children:`Save settings`}),s&&(0,E.jsx)(`span`,{role:`status`,className:`text-sm text-emerald-700 dark:text-emerald-400`,children:`Settings saved.`})]})]})})}function L(e){return Object.fromEntries(N.map(([t])=>[t,e[t]??``]))}function R({slug:e,vars:t,onChange:n}){let r=o(),i=a(r.role,`DEVELOPER`),s=a(r.role,`ADMIN`),f=s?P:[`PREVIEW`],h=e=>s||i&&e.toUpperCase()===`PREVIEW`,[_,S]=(0,T.useState)(a(r.role,`ADMIN`)?`PRODUCTION`:`PREVIEW`),[C,w]=(0,T.useState)(``),[D,O]=(0,T.useState)(``),[j,M]=(0,T.useState)(null),[N,F]=u(k),[I,L]=u(A),R=x(N.error);async function z(t){t.preventDefault(),M(null),(await F({organization:r.slug,project:e,key:C,value:D,target:_})).error||(M(`${C} (${_.toLowerCase()})`),w(``),O(``),n())}async function B(t){(await L({organization:r.slug,project:e,key:t.key,target:t.target.toUpperCase()})).error||n()}return(0,E.jsx)(l,{title:`Environment variables`,children:(0,E.jsxs)(`div`,{className:`flex flex-col gap-3`,children:[t.length===0?(0,E.jsx)(b,{children:`No environment variables.`}):(0,E.jsx)(g,{head:[`Key`,`Target`,`Updated`,``],children:t.map(e=>(0,E.jsxs)(`tr`,{"data-env-var":e.key,children:[(0,E.jsx)(`td`,{className:`min-w-40 px-2 py-2`,children:(0,E.jsx)(v,{children:e.key})}),(0,E.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:e.target}),(0,E.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:c(e.updatedAt)}),(0,E.jsx)(`td`,{className:`px-2 py-2 text-right`,children:h(e.target)&&(0,E.jsx)(m,{variant:`secondary`,disabled:I.fetching,onClick:()=>B(e),"aria-label":`Remove ${e.key} (${e.target})`,children:`Remove`})})]},`${e.key}/${e.target}`))}),(0,E.jsx)(y,{messages:x(I.error).general}),i&&(0,E.jsxs)(`form`,{onSubmit:z,className:`grid gap-3 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end`,children:[(0,E.jsx)(d,{label:`Key`,name:`key`,required:!0,value:C,onChange:e=>w(e.target.value),error:R.fields.key}),(0,E.jsx)(d,{label:`Value`,name:`value`,type:`password`,autoComplete:`new-password`,value:D,onChange:e=>O(e.target.value),error:R.fields.value}),(0,E.jsx)(p,{label:`Target`,name:`target`,options:f,value:_,onChange:e=>S(e.target.value)}),(0,E.jsx)(m,{type:`submit`,disabled:N.fetching,children:`Save variable`})]}),(0,E.jsx)(y,{messages:R.general.concat(R.fields.target?[R.fields.target]:[])}),j&&(0,E.jsxs)(`p`,{role:`status`,className:`text-sm text-emerald-700 dark:text-emerald-400`,children:[`Saved `,j,`; the next deployment gets it.`]})]})})}function z({slug:e}){let t=o(),[n,r]=(0,T.useState)(``),[i,s]=u(j),c=x(i.error),p=i.data?.connectGitRepository,h=a(t.role,`ADMIN`);return(0,E.jsx)(l,{title:`Git`,children:(0,E.jsxs)(`div`,{className:`flex flex-col gap-3 text-sm`,children:[(0,E.jsx)(`p`,{className:`text-zinc-600 dark:text-zinc-400`,children:`Each push to the repository deploys it: the production branch to production, the others as previews.`}),h?(0,E.jsxs)(`form`,{onSubmit:r=>{r.preventDefault(),s({organization:t.slug,project:e,repositoryUrl:n.trim()})},className:`flex flex-col gap-3 sm:flex-row sm:items-end`,children:[(0,E.jsx)(`div`,{className:`grow`,children:(0,E.jsx)(d,{label:`Repository URL`,name:`repositoryUrl`,type:`url`,required:!0,placeholder:`https://github.com/owner/repo`,value:n,onChange:e=>r(e.target.value),error:c.fields.repositoryUrl})}),(0,E.jsx)(m,{type:`submit`,disabled:i.fetching,children:`Connect repository`})]}):(0,E.jsx)(`p`,{className:`text-zinc-500`,children:`Connecting a repository needs the admin role.`}),(0,E.jsx)(y,{messages:c.general}),p&&(0,E.jsxs)(`div`,{className:`flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950`,children:[(0,E.jsxs)(`p`,{children:[`In GitHub, open the repository's `,(0,E.jsx)(`strong`,{children:`Settings → Webhooks → Add webhook`}),` and paste both values below, with content type `,(0,E.jsx)(v,{children:`application/json`}),` and `,(0,E.jsx)(`em`,{children:`Just the push event`}),`.`]}),(0,E.jsx)(`p`,{className:`font-medium`,children:`Payload URL`}),(0,E.jsx)(f,{testId:`webhook-url`,children:`${location.origin}${p.webhookPath}`}),(0,E.jsx)(`p`,{className:`font-medium`,children:`Secret`}),(0,E.jsx)(f,{testId:`webhook-secret`,children:p.secret}),(0,E.jsx)(`p`,{className:`text-xs`,children:`The secret is shown only once: copy it now. Connecting again makes a new one.`})]})]})})}function B({slug:e}){let t=o(),n=i(),[r,a]=(0,T.useState)(!1),[s,c]=(0,T.useState)(``),[f,p]=u(M);async function h(r){r.preventDefault(),(await p({organization:t.slug,project:e})).data?.deleteProject&&n(`/${t.slug}`)}return(0,E.jsxs)(l,{title:`Danger zone`,children:[(0,E.jsxs)(`div`,{className:`flex flex-col gap-3 text-sm sm:flex-row sm:items-center sm:justify-between`,children:[(0,E.jsx)(`p`,{children:`Deleting the project takes its site offline. It cannot be undone.`}),(0,E.jsx)(m,{variant:`danger`,onClick:()=>a(!0),children:`Delete project`})]}),(0,E.jsx)(S,{open:r,onOpenChange:e=>{a(e),c(``)},title:`Delete project`,children:(0,E.jsxs)(`form`,{onSubmit:h,className:`flex flex-col gap-3 text-sm`,children:[(0,E.jsxs)(`p`,{children:[`This cannot be undone. Type `,(0,E.jsx)(v,{children:e}),` to confirm.`]}),(0,E.jsx)(d,{label:`Project slug`,name:`confirmSlug`,autoComplete:`off`,value:s,onChange:e=>c(e.target.value)}),(0,E.jsx)(y,{messages:x(f.error).general}),(0,E.jsxs)(`div`,{className:`flex flex-wrap justify-end gap-2`,children:[(0,E.jsx)(m,{type:`button`,variant:`secondary`,onClick:()=>a(!1),children:`Cancel`}),(0,E.jsx)(m,{type:`submit`,variant:`danger`,disabled:s!==e||f.fetching,children:`Delete project`})]})]})})]})}export{F as default};