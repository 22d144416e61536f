import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{a as r,r as i,u as a}from"./index-BCN-eEjr.js";import{S as o,_ as s,a as c,l,n as u,o as d,p as f,r as p,t as m}from"./errors-lTYoiY6b.js";import{n as h,r as g}from"./deployments-1i1iX7BJ.js";var _=e(n(),1),v=t(),y=u(`
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
      }
      log
      analytics {
        status2xx
        status3xx
        status4xx
        status5xx
      }
    }
  }
`);function b(){let{project:e=``,id:t=``}=a(),n=i(),[u]=o({query:y,variables:{id:t}}),b=(0,_.useRef)(null),x=u.data?.deployment,S=x?.log.length??0;return(0,_.useEffect)(()=>{b.current?.scrollIntoView({block:`nearest`})},[S]),x?(0,v.jsxs)(v.Fragment,{children:[(0,v.jsxs)(r,{className:`text-sm underline`,to:`/${n.slug}/projects/${e}`,children:[`← `,e]}),(0,v.jsxs)(`h1`,{className:`flex flex-wrap items-center gap-2 text-xl font-semibold`,children:[`Deployment `,(0,v.jsx)(d,{children:x.id}),` `,(0,v.jsx)(f,{value:x.status})]}),(0,v.jsxs)(c,{children:[(0,v.jsxs)(`dl`,{className:`grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm`,children:[(0,v.jsx)(`dt`,{className:`text-zinc-500`,children:`URL`}),(0,v.jsx)(`dd`,{className:`truncate`,children:x.url?(0,v.jsx)(`a`,{className:`underline`,href:x.url,children:x.url}):`—`}),(0,v.jsx)(`dt`,{className:`text-zinc-500`,children:`Target`}),(0,v.jsx)(`dd`,{children:x.target}),(0,v.jsx)(`dt`,{className:`text-zinc-500`,children:`Source`}),(0,v.jsxs)(`dd`,{children:[g(x),` `,x.commitSha&&(0,v.jsx)(d,{children:x.commitSha})]}),(0,v.jsx)(`dt`,{className:`text-zinc-500`,children:`Created`}),(0,v.jsx)(`dd`,{children:s(x.createdAt)}),(0,v.jsx)(`dt`,{className:`text-zinc-500`,children:`Build`}),(0,v.jsx)(`dd`,{children:h(x.build.durationMs)||`—`}),(0,v.jsx)(`dt`,{className:`text-zinc-500`,children:`Requests`}),(0,v.jsxs)(`dd`,{children:[`2xx `,x.analytics.status2xx,` · 3xx `,x.analytics.status3xx,` · 4xx `,x.analytics.status4xx,` · 5xx `,x.analytics.status5xx]})]}),x.build.error&&(0,v.jsx)(p,{messages:[x.build.error]})]}),(0,v.jsx)(c,{title:`Build log`,children:(0,v.jsxs)(`div`,{role:`log`,"aria-live":`polite`,"data-testid":`build-log`,className:`max-h-[60vh] overflow-auto rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-100`,children:[S===0?(0,v.jsx)(`p`,{className:`text-zinc-400`,children:`No output yet.`}):x.log.map((e,t)=>(0,v.jsx)(`div`,{className:`whitespace-pre-wrap`,children:e},t)),(0,v.jsx)(`div`,{ref:b})]})})]}):u.error?(0,v.jsx)(p,{messages:m(u.error).general}):(0,v.jsx)(l,{what:`Loading the deployment`})}export{b as default};