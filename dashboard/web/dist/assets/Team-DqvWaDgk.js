import{a as e}from"./rolldown-runtime-BWaJ3C7D.js";import{K as t,it as n}from"./preload-helper-CXeqBdub.js";import{_ as r,a as i,b as a,c as o,d as s,f as c,i as l,l as u,m as d,n as f,r as p,s as m,t as h,u as g,x as _}from"./errors-U9BwhUE6.js";import{i as v,n as y,r as b}from"./index-CXiXZFTj.js";var x=e(n(),1),S=t(),C=f(`
  query TeamMembers($organization: String!) {
    viewer {
      user {
        id
      }
    }
    organization(slug: $organization) {
      id
      members {
        user {
          id
          name
          email
        }
        role
        joinedAt
      }
    }
  }
`),w=f(`
  query TeamInvitations($organization: String!) {
    organization(slug: $organization) {
      id
      invitations {
        id
        email
        role
        expiresAt
        acceptedBy
      }
    }
  }
`),T=f(`
  query TeamApiTokens($organization: String!) {
    organization(slug: $organization) {
      id
      apiTokens {
        id
        name
        role
        createdAt
        expiresAt
        revokedAt
      }
    }
  }
`),E=f(`
  mutation ChangeMemberRole($organization: String!, $userId: String!, $role: Role!) {
    changeMemberRole(organization: $organization, userId: $userId, role: $role) {
      id
    }
  }
`),D=f(`
  mutation RemoveMember($organization: String!, $userId: String!) {
    removeMember(organization: $organization, userId: $userId)
  }
`),O=f(`
  mutation InviteMember($organization: String!, $email: String!, $role: Role!) {
    inviteMember(organization: $organization, email: $email, role: $role) {
      id
      email
      acceptToken
      role
    }
  }
`),k=f(`
  mutation CreateApiToken($organization: String!, $name: String!, $role: Role!, $expiresInDays: Int) {
    createApiToken(organization: $organization, name: $name, role: $role, expiresInDays: $expiresInDays) {
      token {
        id
        name
      }
      secret
    }
  }
`),A=f(`
  mutation RevokeApiToken($organization: String!, $tokenId: String!) {
    revokeApiToken(organization: $organization, tokenId: $tokenId) {
      id
      revokedAt
    }
  }
`),j=[`OWNER`,`ADMIN`,`DEVELOPER`,`VIEWER`];function M(e){return j.filter(t=>y(e,t)&&(t!==`OWNER`||e===`OWNER`))}function N(){let e=y(b().role,`ADMIN`);return(0,S.jsxs)(S.Fragment,{children:[(0,S.jsx)(`h1`,{className:`text-xl font-semibold`,children:`Team`}),(0,S.jsx)(P,{}),e&&(0,S.jsx)(F,{}),e&&(0,S.jsx)(I,{})]})}function P(){let e=b(),t=y(e.role,`ADMIN`),[n,o]=_({query:C,variables:{organization:e.slug}});v(o);let[s,c]=a(E),[f,w]=a(D),[T,O]=(0,x.useState)(null),[k,A]=(0,x.useState)({}),j=n.data?.organization.members??[],N=n.data?.viewer.user?.id,P=e.role===`OWNER`,F=e=>t&&(e!==`OWNER`||P);async function I(t){let n=k[t];n&&((await c({organization:e.slug,userId:t,role:n})).error||A(({[t]:e,...n})=>n))}async function L(){T&&((await w({organization:e.slug,userId:T.id})).error||O(null),o({requestPolicy:`network-only`}))}return(0,S.jsxs)(i,{title:`Members`,children:[n.fetching&&!n.data?(0,S.jsx)(u,{what:`Loading members`}):n.error?(0,S.jsx)(p,{messages:h(n.error).general}):j.length===0?(0,S.jsx)(m,{children:`No members.`}):(0,S.jsxs)(`div`,{className:`flex flex-col gap-3`,children:[(0,S.jsx)(p,{messages:h(s.error).general}),(0,S.jsx)(d,{head:[`Member`,`Role`,`Joined`,``],children:j.map(t=>(0,S.jsxs)(`tr`,{"data-member":t.user.email,children:[(0,S.jsxs)(`td`,{className:`px-2 py-2`,children:[t.user.name,(0,S.jsx)(`span`,{className:`block text-xs text-zinc-500`,children:t.user.email})]}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:F(t.role)?(0,S.jsxs)(`span`,{className:`flex gap-1`,children:[(0,S.jsx)(`select`,{"aria-label":`Role of ${t.user.email}`,className:`rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900`,value:k[t.user.id]??t.role,onChange:e=>A(n=>({...n,[t.user.id]:e.target.value})),children:M(e.role).map(e=>(0,S.jsx)(`option`,{value:e,children:e},e))}),k[t.user.id]&&k[t.user.id]!==t.role&&(0,S.jsx)(l,{variant:`secondary`,disabled:s.fetching,onClick:()=>I(t.user.id),"aria-label":`Save the role of ${t.user.email}`,children:`Save`})]}):t.role.toLowerCase()}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:r(t.joinedAt)}),(0,S.jsxs)(`td`,{className:`px-2 py-2 text-right`,children:[t.user.id===N&&!F(t.role)&&(0,S.jsx)(l,{variant:`secondary`,onClick:()=>O({id:t.user.id,name:`yourself`}),children:`Leave organization`}),F(t.role)&&(0,S.jsx)(l,{variant:`secondary`,"aria-label":`Remove ${t.user.email}`,onClick:()=>O({id:t.user.id,name:t.user.email}),children:`Remove`})]})]},t.user.id))})]}),(0,S.jsx)(g,{open:T!==null,onOpenChange:e=>!e&&O(null),title:`Remove ${T?.name??`member`}?`,children:(0,S.jsxs)(`div`,{className:`flex flex-col gap-3 text-sm`,children:[(0,S.jsx)(`p`,{children:`They lose access to the organization at once; API tokens they created stop working.`}),(0,S.jsx)(p,{messages:h(f.error).general}),(0,S.jsxs)(`div`,{className:`flex flex-wrap justify-end gap-2`,children:[(0,S.jsx)(l,{variant:`secondary`,onClick:()=>O(null),children:`Cancel`}),(0,S.jsx)(l,{variant:`danger`,disabled:f.fetching,onClick:L,children:`Remove member`})]})]})})]})}function F(){let e=b(),[t,n]=_({query:w,variables:{organization:e.slug}});v(n);let[f,g]=(0,x.useState)(``),[C,T]=(0,x.useState)(`DEVELOPER`),[E,D]=a(O),k=h(E.error),A=E.data?.inviteMember,j=t.data?.organization.invitations??[];async function N(t){t.preventDefault(),(await D({organization:e.slug,email:f.trim(),role:C})).error||(g(``),n({requestPolicy:`network-only`}))}return(0,S.jsx)(i,{title:`Invitations`,children:(0,S.jsxs)(`div`,{className:`flex flex-col gap-3`,children:[t.fetching&&!t.data?(0,S.jsx)(u,{what:`Loading invitations`}):t.error?(0,S.jsx)(p,{messages:h(t.error).general}):j.length===0?(0,S.jsx)(m,{children:`No invitations.`}):(0,S.jsx)(d,{head:[`Email`,`Role`,`Expires`,`Accepted by`],children:j.map(e=>(0,S.jsxs)(`tr`,{"data-invitation":e.email,children:[(0,S.jsx)(`td`,{className:`px-2 py-2`,children:e.email}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:e.role.toLowerCase()}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:r(e.expiresAt)}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:e.acceptedBy??(0,S.jsx)(`span`,{className:`text-zinc-500`,children:`not yet`})})]},e.id))}),y(e.role,`ADMIN`)&&(0,S.jsxs)(`form`,{onSubmit:N,className:`grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end`,children:[(0,S.jsx)(o,{label:`Email`,name:`email`,type:`email`,required:!0,autoComplete:`off`,value:f,onChange:e=>g(e.target.value),error:k.fields.email}),(0,S.jsx)(c,{label:`Role`,name:`role`,options:M(e.role),value:C,onChange:e=>T(e.target.value)}),(0,S.jsx)(l,{type:`submit`,disabled:E.fetching,children:`Invite`})]}),(0,S.jsx)(p,{messages:k.general}),A?.acceptToken&&(0,S.jsxs)(`div`,{className:`flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950`,children:[(0,S.jsxs)(`p`,{children:[`Invited `,A.email,`. Send them this link: it lets whoever holds it join as `,A.role.toLowerCase(),`, and it is shown only once (with a mail server configured, it was also mailed to them).`]}),(0,S.jsx)(s,{testId:`invitation-link`,children:`${location.origin}/invitations/${A.id}?token=${encodeURIComponent(A.acceptToken)}`})]})]})})}function I(){let e=b(),t=y(e.role,`ADMIN`),[n,f]=_({query:T,variables:{organization:e.slug}});v(f);let[g,C]=(0,x.useState)(``),[w,E]=(0,x.useState)(`VIEWER`),[D,O]=(0,x.useState)(``),[j,N]=a(k),[P,F]=a(A),I=h(j.error),L=n.data?.organization.apiTokens??[],R=Date.now();async function z(t){t.preventDefault(),(await N({organization:e.slug,name:g.trim(),role:w,expiresInDays:D?Number(D):null})).error||(C(``),O(``),f({requestPolicy:`network-only`}))}async function B(t){await F({organization:e.slug,tokenId:t}),f({requestPolicy:`network-only`})}return(0,S.jsx)(i,{title:`API tokens`,children:(0,S.jsxs)(`div`,{className:`flex flex-col gap-3`,children:[n.fetching&&!n.data?(0,S.jsx)(u,{what:`Loading API tokens`}):n.error?(0,S.jsx)(p,{messages:h(n.error).general}):L.length===0?(0,S.jsx)(m,{children:`No API tokens.`}):(0,S.jsx)(d,{head:[`Name`,`Role`,`Created`,`Expires`,`State`,``],children:L.map(e=>{let n=e.expiresAt!==null&&e.expiresAt!==void 0&&Date.parse(e.expiresAt)<=R,i=!e.revokedAt&&!n;return(0,S.jsxs)(`tr`,{"data-token":e.name,children:[(0,S.jsx)(`td`,{className:`px-2 py-2`,children:e.name}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:e.role.toLowerCase()}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:r(e.createdAt)}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:e.expiresAt?r(e.expiresAt):`never`}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-xs`,children:e.revokedAt?`revoked ${r(e.revokedAt)}`:n?`expired`:`active`}),(0,S.jsx)(`td`,{className:`px-2 py-2 text-right`,children:t&&i&&(0,S.jsx)(l,{variant:`secondary`,"aria-label":`Revoke ${e.name}`,disabled:P.fetching,onClick:()=>B(e.id),children:`Revoke`})})]},e.id)})}),(0,S.jsx)(p,{messages:h(P.error).general}),t&&(0,S.jsxs)(`form`,{onSubmit:z,className:`grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end`,children:[(0,S.jsx)(o,{label:`Token name`,name:`tokenName`,required:!0,autoComplete:`off`,value:g,onChange:e=>C(e.target.value),error:I.fields.name}),(0,S.jsx)(c,{label:`Token role`,id:`token-role`,name:`tokenRole`,options:M(e.role),value:w,onChange:e=>E(e.target.value)}),(0,S.jsx)(o,{label:`Expires in days`,name:`expiresInDays`,type:`number`,min:1,max:3650,value:D,onChange:e=>O(e.target.value),error:I.fields.expiresInDays??I.fields.expiresAt,hint:`optional`}),(0,S.jsx)(l,{type:`submit`,disabled:j.fetching,children:`Create token`})]}),(0,S.jsx)(p,{messages:I.general}),j.data&&(0,S.jsxs)(`div`,{className:`flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950`,children:[(0,S.jsxs)(`p`,{children:[`Token “`,j.data.createApiToken.token.name,`” created. Copy it now: it is not shown again.`]}),(0,S.jsx)(s,{testId:`token-secret`,children:j.data.createApiToken.secret})]})]})})}export{N as default};