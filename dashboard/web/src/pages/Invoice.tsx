// One invoice: its lines, and for each line the events it is made of, each a link to the
// event in the audit log.
import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { problems } from "../errors";
import { useOrganization, useRefetchOnEvents } from "../organization";
import { Alerts, Card, Loading, Table, money, when } from "../ui";

const InvoiceQuery = graphql(`
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
`);

export default function Invoice() {
  const { id = "" } = useParams();
  const organization = useOrganization();
  const [result, refetch] = useQuery({ query: InvoiceQuery, variables: { id } });
  useRefetchOnEvents(refetch);
  const invoice = result.data?.invoice;
  if (result.fetching && !invoice) return <Loading what="Loading the invoice" />;
  if (!invoice) return <Alerts messages={problems(result.error).general} />;
  return (
    <>
      <Link className="text-sm underline" to={`/${organization.slug}/usage`}>
        ← Usage & billing
      </Link>
      <h1 className="text-xl font-semibold">
        Invoice {invoice.period} · {money(invoice.totalCents)}
      </h1>
      <p className="text-sm text-zinc-500">
        Plan {invoice.plan}; as of {when(invoice.updatedAt)} (a month's invoice grows with its usage until the month ends).
      </p>
      <Card title="Lines">
        <Table head={["#", "Description", "Quantity", "Unit price", "Amount"]}>
          {invoice.lines.map((line) => (
            <tr key={line.number} data-testid="invoice-line">
              <td className="px-2 py-2 align-top">{line.number}</td>
              <td className="px-2 py-2 align-top">
                {line.description}
                <details className="mt-1 text-xs">
                  <summary className="cursor-pointer text-zinc-500">
                    {line.sources.length} source event{line.sources.length === 1 ? "" : "s"}
                  </summary>
                  <ul className="mt-1 flex flex-col gap-0.5">
                    {line.sources.map((source) => (
                      <li key={source.eventId}>
                        <Link className="font-mono underline" to={`/${organization.slug}/audit?position=${source.position}`} data-testid="source-event">
                          event #{source.position}
                        </Link>{" "}
                        · {source.quantity.toLocaleString()} {line.unit}
                      </li>
                    ))}
                  </ul>
                </details>
              </td>
              <td className="px-2 py-2 align-top">
                {line.quantity.toLocaleString()} {line.unit}
              </td>
              <td className="px-2 py-2 align-top">{money(line.unitPriceCents)}</td>
              <td className="px-2 py-2 align-top">{money(line.amountCents)}</td>
            </tr>
          ))}
        </Table>
      </Card>
    </>
  );
}
