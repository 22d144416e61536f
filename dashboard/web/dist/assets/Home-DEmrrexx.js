import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,Y as n,Z as r,it as i}from"./preload-helper-UUvgwMk4.js";import{c as a,i as o,o as s,s as c}from"./index-BbIg8duh.js";import{a as l,b as u,c as d,i as f,l as p,n as m,r as h,t as g,x as _}from"./errors-4xxRMamu.js";var v=e(i(),1),y=t(),b=m(`
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
`);function S(){let[e]=_({query:b}),t=c(),i=a(),[m,S]=(0,v.useState)(``),[C,w]=(0,v.useState)(``),[T,E]=u(x),D=g(T.error);if(e.fetching)return(0,y.jsx)(p,{});let O=e.data?.organizations??[],k=t.search.includes(`new`),A=r();if(!k&&O.length>0){let e=O.find(e=>e.slug===A)??O[0];return(0,y.jsx)(s,{to:`/${e.slug}`,replace:!0})}async function j(e){e.preventDefault();let t=await E({slug:m,name:C});t.data&&i(`/${t.data.createOrganization.slug}`)}return(0,y.jsxs)(`main`,{className:`mx-auto flex max-w-md flex-col gap-4 p-4`,children:[(0,y.jsx)(`h1`,{className:`text-2xl font-semibold`,children:`Create an organization`}),(0,y.jsx)(l,{children:(0,y.jsxs)(`form`,{onSubmit:j,className:`flex flex-col gap-3`,children:[(0,y.jsx)(d,{label:`Name`,name:`name`,required:!0,value:C,onChange:e=>w(e.target.value),error:D.fields.name}),(0,y.jsx)(d,{label:`Slug`,name:`slug`,required:!0,value:m,onChange:e=>S(e.target.value),error:D.fields.slug,hint:`lowercase letters, digits and dashes; it names the organization in URLs`}),(0,y.jsx)(h,{messages:D.general}),(0,y.jsx)(f,{type:`submit`,disabled:T.fetching,children:`Create organization`})]})}),O.length>0&&(0,y.jsxs)(`p`,{className:`text-sm`,children:[`Or open`,` `,O.map(e=>(0,y.jsx)(o,{className:`mr-2 underline`,to:`/${e.slug}`,children:e.name},e.slug))]}),(0,y.jsx)(`button`,{className:`self-start text-sm underline`,onClick:()=>n(),children:`Sign out`})]})}export{S as default};