import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{a as r,r as i,u as a}from"./index-CXiXZFTj.js";import{S as o,_ as s,a as c,l,n as u,o as d,p as f,r as p,t as m,y as h}from"./errors-U9BwhUE6.js";import{n as g,r as _}from"./deployments-1i1iX7BJ.js";var v=e(n(),1),y=t(),b=u(`
  subscription LiveDeployment($id: String!) {
    deployment(id: $id) {
      id
      status
      target
      sourceKind
      sourceRef
      commitSha
      url
      createdAt
      updatedAt
      build {
        durationMs
        error
        logChunks
      }
      analytics {
        status2xx
        status3xx
        status4xx
        status5xx
      }
    }
  }
`),x=u(`
  query DeploymentLog($id: String!, $chunk: Int!) {
    deployment(id: $id) {
      id
      logSince(chunk: $chunk) {
        chunks
        lines
      }
    }
  }
`);function S(e,t){let n=h(),[r,i]=(0,v.useState)([]),a=(0,v.useRef)(0),o=(0,v.useRef)(0),s=(0,v.useRef)(!1),c=(0,v.useRef)(!0);o.current=t,(0,v.useEffect)(()=>(c.current=!0,()=>{c.current=!1}),[]);let l=(0,v.useCallback)(async()=>{if(!s.current){s.current=!0;try{for(;c.current&&a.current<o.current;){let t=(await n.query(x,{id:e,chunk:a.current},{requestPolicy:`network-only`}).toPromise()).data?.deployment.logSince;if(!t||t.chunks<=a.current)break;let r=t.lines;a.current=t.chunks,i(e=>e.concat(r))}}finally{s.current=!1}}},[n,e]);return(0,v.useEffect)(()=>{l()},[t,l]),r}function C(){let{id:e=``}=a();return(0,y.jsx)(w,{id:e},e)}function w({id:e}){let{project:t=``}=a(),n=i(),[u]=o({query:b,variables:{id:e}}),h=(0,v.useRef)(null),x=u.data?.deployment,C=S(e,x?.build.logChunks??0),w=C.length;return(0,v.useEffect)(()=>{h.current?.scrollIntoView({block:`nearest`})},[w]),x?(0,y.jsxs)(y.Fragment,{children:[(0,y.jsxs)(r,{className:`text-sm underline`,to:`/${n.slug}/projects/${t}`,children:[`← `,t]}),(0,y.jsxs)(`h1`,{className:`flex flex-wrap items-center gap-2 text-xl font-semibold`,children:[`Deployment `,(0,y.jsx)(d,{children:x.id}),` `,(0,y.jsx)(f,{value:x.status})]}),(0,y.jsxs)(c,{children:[(0,y.jsxs)(`dl`,{className:`grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm`,children:[(0,y.jsx)(`dt`,{className:`text-zinc-500`,children:`URL`}),(0,y.jsx)(`dd`,{className:`truncate`,children:x.url?(0,y.jsx)(`a`,{className:`underline`,href:x.url,children:x.url}):`—`}),(0,y.jsx)(`dt`,{className:`text-zinc-500`,children:`Target`}),(0,y.jsx)(`dd`,{children:x.target}),(0,y.jsx)(`dt`,{className:`text-zinc-500`,children:`Source`}),(0,y.jsxs)(`dd`,{children:[_(x),` `,x.commitSha&&(0,y.jsx)(d,{children:x.commitSha})]}),(0,y.jsx)(`dt`,{className:`text-zinc-500`,children:`Created`}),(0,y.jsx)(`dd`,{children:s(x.createdAt)}),(0,y.jsx)(`dt`,{className:`text-zinc-500`,children:`Build`}),(0,y.jsx)(`dd`,{children:g(x.build.durationMs)||`—`}),(0,y.jsx)(`dt`,{className:`text-zinc-500`,children:`Requests`}),(0,y.jsxs)(`dd`,{children:[`2xx `,x.analytics.status2xx,` · 3xx `,x.analytics.status3xx,` · 4xx `,x.analytics.status4xx,` · 5xx `,x.analytics.status5xx]})]}),x.build.error&&(0,y.jsx)(p,{messages:[x.build.error]})]}),u.error&&(0,y.jsxs)(`p`,{role:`status`,className:`rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200`,children:[`Live updates stopped (`,m(u.error).general.join(`; `),`); reload the page to resume.`]}),(0,y.jsx)(c,{title:`Build log`,children:(0,y.jsxs)(`div`,{role:`log`,"aria-live":`polite`,"data-testid":`build-log`,className:`max-h-[60vh] overflow-auto rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-100`,children:[w===0?(0,y.jsx)(`p`,{className:`text-zinc-400`,children:`No output yet.`}):C.map((e,t)=>(0,y.jsx)(`div`,{className:`whitespace-pre-wrap`,children:e},t)),(0,y.jsx)(`div`,{ref:h})]})})]}):u.error?(0,y.jsx)(p,{messages:m(u.error).general}):(0,y.jsx)(l,{what:`Loading the deployment`})}export{C as default};