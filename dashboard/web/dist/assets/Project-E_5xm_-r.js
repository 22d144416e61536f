import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{a as r,i,n as a,r as o,u as s}from"./index-CXiXZFTj.js";import{_ as c,a as l,b as u,i as d,l as f,m as p,n as m,o as h,p as g,r as _,s as v,t as y,x as b}from"./errors-U9BwhUE6.js";import{n as x,r as S,t as C}from"./deployments-1i1iX7BJ.js";import{t as w}from"./ProjectNav-BlFMUGKB.js";var T=e(n(),1),E=t(),D=m(`
  query Project($organization: String!, $project: String!, $first: Int!) {
    project(organization: $organization, slug: $project) {
      id
      slug
      name
      productionDeployment {
        id
        url
      }
      deployments(first: $first) {
        pageInfo {
          hasNextPage
        }
        nodes {
          id
          status
          target
          sourceKind
          sourceRef
          commitSha
          url
          createdAt
          build {
            durationMs
            error
          }
        }
      }
    }
  }
`),O=m(`
  mutation Promote($id: String!) {
    promoteDeployment(id: $id) {
      id
      status
    }
  }
`),k=m(`
  mutation Rollback($id: String!) {
    rollbackDeployment(id: $id) {
      id
      status
    }
  }
`);function A(){let{project:e=``}=s(),t=o(),[n,m]=(0,T.useState)(50),[A,j]=b({query:D,variables:{organization:t.slug,project:e,first:n}});i(j);let[M,N]=u(O),[P,F]=u(k),[I,L]=(0,T.useState)(null),R=A.data?.project;if(A.fetching&&!R)return(0,E.jsx)(f,{what:`Loading the project`});if(!R)return(0,E.jsx)(_,{messages:y(A.error).general});let z=R.productionDeployment,B=C(z),V=a(t.role,`DEVELOPER`),H=R.deployments.nodes.findIndex(e=>e.id===z?.id);async function U(e,t){L(e),t===`promote`?await N({id:e}):await F({id:e}),L(null),j({requestPolicy:`network-only`})}return(0,E.jsxs)(E.Fragment,{children:[(0,E.jsx)(w,{org:t.slug,project:e,name:R.name}),(0,E.jsx)(l,{title:`Production`,children:B?(0,E.jsxs)(`p`,{className:`text-sm`,children:[(0,E.jsx)(`a`,{className:`text-indigo-600 underline dark:text-indigo-400`,href:B,"data-testid":`production-url`,children:B}),` `,`serves `,(0,E.jsx)(h,{children:z?.id.slice(0,13)})]}):(0,E.jsx)(`p`,{className:`text-sm text-zinc-500`,children:`No deployment is in production yet.`})}),(0,E.jsx)(_,{messages:[...y(M.error).general,...y(P.error).general]}),(0,E.jsxs)(l,{title:`Deployments`,children:[R.deployments.nodes.length===0?(0,E.jsxs)(v,{children:[`No deployments yet. Deploy with `,(0,E.jsxs)(h,{children:[`clouddeck deploy ./dir --project `,e]}),`.`]}):(0,E.jsx)(p,{head:[`Deployment`,`Status`,`Source`,`Created`,`Duration`,``],children:R.deployments.nodes.map((n,i)=>{let a=n.id===z?.id,o=H>=0&&i>H;return(0,E.jsxs)(`tr`,{"data-deployment":n.id,children:[(0,E.jsxs)(`td`,{className:`px-2 py-2`,children:[(0,E.jsx)(r,{className:`font-mono text-xs underline`,to:`/${t.slug}/projects/${e}/deployments/${n.id}`,children:n.id.slice(0,13)}),a&&(0,E.jsx)(`span`,{"data-testid":`production-marker`,className:`ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-800 dark:bg-indigo-900 dark:text-indigo-200`,children:`production`}),n.url&&(0,E.jsx)(`a`,{className:`block max-w-64 truncate text-xs text-zinc-500 underline`,href:n.url,children:n.url})]}),(0,E.jsxs)(`td`,{className:`px-2 py-2`,children:[(0,E.jsx)(g,{value:n.status}),n.build.error&&(0,E.jsx)(`p`,{className:`max-w-48 truncate text-xs text-red-600`,title:n.build.error,children:n.build.error})]}),(0,E.jsxs)(`td`,{className:`px-2 py-2 text-xs`,children:[S(n),` `,n.commitSha&&(0,E.jsx)(h,{children:n.commitSha.slice(0,7)}),(0,E.jsx)(`span`,{className:`block text-zinc-500`,children:n.target})]}),(0,E.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:c(n.createdAt)}),(0,E.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:x(n.build.durationMs)}),(0,E.jsx)(`td`,{className:`px-2 py-2 text-right`,children:V&&n.status===`ready`&&!a&&(0,E.jsx)(d,{variant:`secondary`,disabled:I===n.id,onClick:()=>U(n.id,o?`rollback`:`promote`),children:o?`Roll back to this`:`Promote`})})]},n.id)})}),R.deployments.pageInfo.hasNextPage&&(n<100?(0,E.jsx)(d,{variant:`secondary`,className:`mt-3`,onClick:()=>m(100),children:`Show more`}):(0,E.jsxs)(`p`,{className:`mt-3 text-xs text-zinc-500`,children:[`The newest 100 are shown; `,(0,E.jsx)(h,{children:`clouddeck deployments ls`}),` and the API's `,(0,E.jsx)(h,{children:`deployments(after:)`}),` page through the rest.`]}))]})]})}export{A as default};