import{a as e,i as t,r as n,u as r}from"./index-CXiXZFTj.js";import{_ as i,a,g as o,l as s,m as c,n as l,r as u,t as d,x as f}from"./errors-U9BwhUE6.js";import{K as p}from"./preload-helper-CXeqBdub.js";var m=p(),h=l(`
  query Invoice($id: String!) {
    invoice(id: $id) {
      id
      period
      plan
      totalCents
      updatedAt
      lines {
        number
        description
        metric
        quantity
        unit
        unitPriceCents
        amountCents
        sources {
          eventId
          position
          projectId
          quantity
        }
      }
    }
  }
`);function g(){let{id:l=``}=r(),p=n(),[g,_]=f({query:h,variables:{id:l}});t(_);let v=g.data?.invoice;return g.fetching&&!v?(0,m.jsx)(s,{what:`Loading the invoice`}):v?(0,m.jsxs)(m.Fragment,{children:[(0,m.jsx)(e,{className:`text-sm underline`,to:`/${p.slug}/usage`,children:`← Usage & billing`}),(0,m.jsxs)(`h1`,{className:`text-xl font-semibold`,children:[`Invoice `,v.period,` · `,o(v.totalCents)]}),(0,m.jsxs)(`p`,{className:`text-sm text-zinc-500`,children:[`Plan `,v.plan,`; as of `,i(v.updatedAt),` (a month's invoice grows with its usage until the month ends).`]}),(0,m.jsx)(a,{title:`Lines`,children:(0,m.jsx)(c,{head:[`#`,`Description`,`Quantity`,`Unit price`,`Amount`],children:v.lines.map(t=>(0,m.jsxs)(`tr`,{"data-testid":`invoice-line`,children:[(0,m.jsx)(`td`,{className:`px-2 py-2 align-top`,children:t.number}),(0,m.jsxs)(`td`,{className:`px-2 py-2 align-top`,children:[t.description,(0,m.jsxs)(`details`,{className:`mt-1 text-xs`,children:[(0,m.jsxs)(`summary`,{className:`cursor-pointer text-zinc-500`,children:[t.sources.length,` source event`,t.sources.length===1?``:`s`]}),(0,m.jsx)(`ul`,{className:`mt-1 flex flex-col gap-0.5`,children:t.sources.map(n=>(0,m.jsxs)(`li`,{children:[(0,m.jsxs)(e,{className:`font-mono underline`,to:`/${p.slug}/audit?position=${n.position}`,"data-testid":`source-event`,children:[`event #`,n.position]}),` `,`· `,n.quantity.toLocaleString(),` `,t.unit]},n.eventId))})]})]}),(0,m.jsxs)(`td`,{className:`px-2 py-2 align-top`,children:[t.quantity.toLocaleString(),` `,t.unit]}),(0,m.jsx)(`td`,{className:`px-2 py-2 align-top`,children:o(t.unitPriceCents)}),(0,m.jsx)(`td`,{className:`px-2 py-2 align-top`,children:o(t.amountCents)})]},t.number))})})]}):(0,m.jsx)(u,{messages:d(g.error).general})}export{g as default};