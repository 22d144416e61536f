import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{a as r,i,n as a,r as o}from"./index-CXiXZFTj.js";import{_ as s,a as c,b as l,c as u,i as d,l as f,n as p,o as m,p as h,r as g,s as _,t as v,u as y,x as b}from"./errors-U9BwhUE6.js";import{t as x}from"./deployments-1i1iX7BJ.js";var S=e(n(),1),C=t(),w=p(`
  query Projects($organization: String!) {
    organization(slug: $organization) {
      projects {
        id
        slug
        name
        createdAt
        settings {
          framework
        }
        productionDeployment {
          id
          url
        }
        deployments(first: 1) {
          nodes {
            id
            status
            createdAt
          }
        }
      }
    }
  }
`),T=p(`
  mutation CreateProject($organization: String!, $slug: String!, $name: String!, $framework: String) {
    createProject(organization: $organization, slug: $slug, name: $name, framework: $framework) {
      slug
    }
  }
`);function E(){let e=o(),[t,n]=b({query:w,variables:{organization:e.slug}});i(n);let[l,u]=(0,S.useState)(!1),p=t.data?.organization.projects??[];return(0,C.jsxs)(C.Fragment,{children:[(0,C.jsxs)(`div`,{className:`flex flex-wrap items-center justify-between gap-2`,children:[(0,C.jsx)(`h1`,{className:`text-xl font-semibold`,children:`Projects`}),a(e.role,`ADMIN`)&&(0,C.jsx)(d,{onClick:()=>u(!0),children:`New project`})]}),t.fetching&&!t.data?(0,C.jsx)(f,{what:`Loading projects`}):t.error?(0,C.jsx)(g,{messages:v(t.error).general}):p.length===0?(0,C.jsx)(_,{children:`No projects yet.`}):(0,C.jsx)(`ul`,{className:`grid gap-3 sm:grid-cols-2 lg:grid-cols-3`,children:p.map(t=>{let n=t.deployments.nodes[0],i=x(t.productionDeployment);return(0,C.jsx)(`li`,{children:(0,C.jsxs)(c,{children:[(0,C.jsx)(r,{to:`/${e.slug}/projects/${t.slug}`,className:`text-base font-semibold underline-offset-2 hover:underline`,children:t.name}),(0,C.jsx)(`p`,{className:`text-xs text-zinc-500`,children:t.settings.framework??`framework detected at build`}),(0,C.jsx)(`p`,{className:`mt-2 truncate text-sm`,children:i?(0,C.jsx)(`a`,{href:i,className:`text-indigo-600 underline dark:text-indigo-400`,children:i}):(0,C.jsx)(`span`,{className:`text-zinc-500`,children:`not in production yet`})}),n&&(0,C.jsxs)(`p`,{className:`mt-1 flex items-center gap-2 text-xs text-zinc-500`,children:[(0,C.jsx)(h,{value:n.status}),` `,s(n.createdAt)]})]})},t.id)})}),(0,C.jsx)(D,{open:l,onOpenChange:u})]})}function D({open:e,onOpenChange:t}){let n=o(),[i,a]=(0,S.useState)(``),[s,c]=(0,S.useState)(``),[f,p]=(0,S.useState)(``),[h,_]=l(T),b=v(h.error),x=h.data?.createProject.slug;async function w(e){e.preventDefault(),await _({organization:n.slug,slug:s,name:i,framework:f||null})}return(0,C.jsx)(y,{open:e,onOpenChange:t,title:x?`Project created`:`New project`,children:x?(0,C.jsxs)(`div`,{className:`flex flex-col gap-3 text-sm`,children:[(0,C.jsx)(`p`,{children:`Deploy a folder from your machine with the CLI:`}),(0,C.jsx)(`pre`,{className:`overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-800`,children:`clouddeck deploy ./dist --org ${n.slug} --project ${x} --url ${location.origin}\n# add --prebuilt for a built site, --prod for production`}),(0,C.jsxs)(`p`,{children:[`Or deploy each push to GitHub: connect the repository in the project's `,(0,C.jsx)(r,{className:`underline`,to:`/${n.slug}/projects/${x}/settings`,children:`settings`}),`; GitHub's webhook then goes to`,` `,(0,C.jsx)(m,{children:`${location.origin}/v1/hooks/github/…`}),` with the secret shown once there.`]}),(0,C.jsx)(r,{className:`underline`,to:`/${n.slug}/projects/${x}`,onClick:()=>t(!1),children:`Open the project`})]}):(0,C.jsxs)(`form`,{onSubmit:w,className:`flex flex-col gap-3`,children:[(0,C.jsx)(u,{label:`Name`,name:`name`,required:!0,value:i,onChange:e=>a(e.target.value),error:b.fields.name}),(0,C.jsx)(u,{label:`Slug`,name:`slug`,required:!0,value:s,onChange:e=>c(e.target.value),error:b.fields.slug,hint:`names the project in its URLs`}),(0,C.jsx)(u,{label:`Framework (optional)`,name:`framework`,value:f,onChange:e=>p(e.target.value),error:b.fields.framework,hint:`detected from the source when empty`}),(0,C.jsx)(g,{messages:b.general}),(0,C.jsx)(d,{type:`submit`,disabled:h.fetching,children:`Create project`})]})})}export{E as default};