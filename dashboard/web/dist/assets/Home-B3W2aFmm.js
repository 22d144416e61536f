import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,Z as n,it as r}from"./preload-helper-CXeqBdub.js";import{a as i,c as a,l as o,s,t as c}from"./index-CXiXZFTj.js";import{a as l,b as u,c as d,i as f,l as p,n as m,r as h,t as g,x as _}from"./errors-U9BwhUE6.js";var v=e(r(),1),y=t(),b=m(`
  query Organizations {
    organizations {
      slug
      name
    }
  }
`),x=m(`
  mutation CreateOrganization($slug: String!, $name: String!) {
    createOrganization(slug: $slug, name: $name) {
      slug
    }
  }
`);function S(){let[e]=_({query:b}),t=a(),r=o(),[m,S]=(0,v.useState)(``),[C,w]=(0,v.useState)(``),[T,E]=u(x),D=c(),O=g(T.error);if(e.fetching)return(0,y.jsx)(p,{});let k=e.data?.organizations??[],A=t.search.includes(`new`),j=n();if(!A&&k.length>0){let e=k.find(e=>e.slug===j)??k[0];return(0,y.jsx)(s,{to:`/${e.slug}`,replace:!0})}async function M(e){e.preventDefault();let t=await E({slug:m,name:C});t.data&&r(`/${t.data.createOrganization.slug}`)}return(0,y.jsxs)(`main`,{className:`mx-auto flex max-w-md flex-col gap-4 p-4`,children:[(0,y.jsx)(`h1`,{className:`text-2xl font-semibold`,children:`Create an organization`}),(0,y.jsx)(l,{children:(0,y.jsxs)(`form`,{onSubmit:M,className:`flex flex-col gap-3`,children:[(0,y.jsx)(d,{label:`Name`,name:`name`,required:!0,value:C,onChange:e=>w(e.target.value),error:O.fields.name}),(0,y.jsx)(d,{label:`Slug`,name:`slug`,required:!0,value:m,onChange:e=>S(e.target.value),error:O.fields.slug,hint:`lowercase letters, digits and dashes; it names the organization in URLs`}),(0,y.jsx)(h,{messages:O.general}),(0,y.jsx)(f,{type:`submit`,disabled:T.fetching,children:`Create organization`})]})}),k.length>0&&(0,y.jsxs)(`p`,{className:`text-sm`,children:[`Or open`,` `,k.map(e=>(0,y.jsx)(i,{className:`mr-2 underline`,to:`/${e.slug}`,children:e.name},e.slug))]}),(0,y.jsx)(`button`,{className:`self-start text-sm underline`,onClick:()=>D(),children:`Sign out`})]})}export{S as default};