// Usage and billing: requests, bandwidth and build minutes by day as charts, the plan with
// how much of each limit is used, and the invoices. Loaded on demand: the charts library
// stays out of the first load.
import { useState } from "react";
import { Link } from "react-router";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { PlanName } from "../gql/graphql";
import { problems } from "../errors";
import { allows, useOrganization, useRefetchOnEvents } from "../organization";
import { Alerts, Button, Card, Empty, Loading, Select, Table, bytes, money } from "../ui";

const UsageQuery = graphql(`
  query Usage($organization: String!, $period: String) {
    organization(slug: $organization) {
      subscription {
        plan
        priceCents
        buildsPerMonth
        bandwidthBytes
        overageCentsPerGb
        bandwidthBlocked
        storageBytes
      }
      usage(period: $period) {
        metric
        projectId
        quantity
      }
      dailyUsage(period: $period) {
        day
        metric
        quantity
      }
    }
  }
`);

const InvoicesQuery = graphql(`
  query Invoices($organization: String!) {
    organization(slug: $organization) {
      invoices {
        id
        period
        plan
        totalCents
        updatedAt
      }
    }
  }
`);

const ChangePlan = graphql(`
  mutation ChangePlan($organization: String!, $plan: PlanName!) {
    changePlan(organization: $organization, plan: $plan) {
      plan
    }
  }
`);

/** The charts, and how each metric's figures read. */
const CHARTS: { metric: string; title: string; show: (n: number) => string; scale: (n: number) => number }[] = [
  { metric: "requests", title: "Requests", show: (n) => n.toLocaleString(), scale: (n) => n },
  { metric: "bandwidth_bytes", title: "Bandwidth (MB)", show: (n) => `${n.toFixed(2)} MB`, scale: (n) => n / 1e6 },
  { metric: "build_seconds", title: "Build minutes", show: (n) => `${n.toFixed(1)} min`, scale: (n) => n / 60 },
];

function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

/** Every day of `period` (YYYY-MM) with the metric's figure, zero where nothing was used. */
function days(period: string, figures: { day: string; metric: string; quantity: number }[], metric: string, scale: (n: number) => number) {
  const [year, month] = period.split("-").map(Number);
  const count = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const byDay = new Map(figures.filter((f) => f.metric === metric).map((f) => [f.day, f.quantity]));
  return Array.from({ length: count }, (_, i) => {
    const day = `${period}-${String(i + 1).padStart(2, "0")}`;
    return { day: String(i + 1), value: scale(byDay.get(day) ?? 0) };
  });
}

function Meter({ label, used, limit, show }: { label: string; used: number; limit: number | null | undefined; show: (n: number) => string }) {
  const share = limit ? Math.min(100, (used / limit) * 100) : 0;
  return (
    <div className="flex flex-col gap-1" data-testid={`limit-${label}`}>
      <div className="flex justify-between text-sm">
        <span>{label}</span>
        <span className="text-zinc-500">
          {show(used)} of {limit == null ? "unlimited" : show(limit)}
        </span>
      </div>
      <div className="h-2 rounded bg-zinc-200 dark:bg-zinc-800" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share)}>
        <div className={`h-2 rounded ${share >= 90 ? "bg-red-500" : "bg-indigo-500"}`} style={{ width: `${share}%` }} />
      </div>
    </div>
  );
}

export default function Usage() {
  const organization = useOrganization();
  const [period, setPeriod] = useState(thisMonth());
  const [result, refetch] = useQuery({ query: UsageQuery, variables: { organization: organization.slug, period } });
  // Invoices are for admins and owners (the API refuses others): not asked for otherwise.
  const admin = allows(organization.role, "ADMIN");
  const [invoices, refetchInvoices] = useQuery({ query: InvoicesQuery, variables: { organization: organization.slug }, pause: !admin });
  useRefetchOnEvents(refetch);
  useRefetchOnEvents(refetchInvoices);
  const [changed, changePlan] = useMutation(ChangePlan);
  const [plan, setPlan] = useState<PlanName>("PRO");
  const data = result.data?.organization;
  const total = (metric: string) => (data?.usage ?? []).filter((u) => u.metric === metric).reduce((sum, u) => sum + u.quantity, 0);
  const months = Array.from({ length: 12 }, (_, i) => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - i);
    return d.toISOString().slice(0, 7);
  });

  return (
    <>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 className="text-xl font-semibold">Usage & billing</h1>
        <div className="w-40">
          <Select label="Month" name="period" options={months} value={period} onChange={(e) => setPeriod(e.target.value)} />
        </div>
      </div>
      {result.fetching && !data ? (
        <Loading what="Loading usage" />
      ) : !data ? (
        <Alerts messages={problems(result.error).general} />
      ) : (
        <>
          <Card title={`Plan: ${data.subscription.plan}`} actions={<span className="text-sm text-zinc-500">{money(data.subscription.priceCents)} a month</span>}>
            {data.subscription.bandwidthBlocked && <Alerts messages={["Sites are blocked for the rest of the month: the plan's bandwidth is used up."]} />}
            <div className="grid gap-3 sm:grid-cols-3">
              <Meter label="Bandwidth" used={total("bandwidth_bytes")} limit={data.subscription.bandwidthBytes} show={bytes} />
              <Meter label="Builds" used={total("builds")} limit={data.subscription.buildsPerMonth} show={(n) => n.toLocaleString()} />
              <p className="text-sm" data-testid="limit-Storage">
                Storage <span className="block text-zinc-500">{data.subscription.storageBytes == null ? "unlimited" : `up to ${bytes(data.subscription.storageBytes)} kept`}</span>
              </p>
            </div>
            {allows(organization.role, "OWNER") && (
              <div className="mt-3 flex flex-wrap items-end gap-2">
                <div className="w-40">
                  <Select label="Change plan to" name="plan" options={["FREE", "PRO", "BUSINESS"]} value={plan} onChange={(e) => setPlan(e.target.value as PlanName)} />
                </div>
                <Button variant="secondary" disabled={changed.fetching} onClick={() => changePlan({ organization: organization.slug, plan })}>
                  Change plan
                </Button>
                <Alerts messages={problems(changed.error).general} />
              </div>
            )}
          </Card>
          <div className="grid gap-4 lg:grid-cols-3">
            {CHARTS.map((chart) => (
              <Card key={chart.metric} title={chart.title}>
                <p className="mb-2 text-sm text-zinc-500" data-testid={`total-${chart.metric}`}>
                  {chart.show(chart.scale(total(chart.metric)))} this month
                </p>
                <div className="h-40" role="img" aria-label={`${chart.title} by day`}>
                  <ResponsiveContainer width="100%" height="100%">
                    <BarChart data={days(period, data.dailyUsage, chart.metric, chart.scale)}>
                      <CartesianGrid strokeDasharray="3 3" vertical={false} />
                      <XAxis dataKey="day" fontSize={10} interval="preserveStartEnd" />
                      <YAxis fontSize={10} width={40} />
                      <Tooltip formatter={(v) => chart.show(Number(v))} labelFormatter={(d) => `${period}-${String(d).padStart(2, "0")}`} />
                      <Bar dataKey="value" fill="#6366f1" isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              </Card>
            ))}
          </div>
        </>
      )}
      {admin && (
      <Card title="Invoices">
        {invoices.fetching && !invoices.data ? (
          <Loading what="Loading invoices" />
        ) : !invoices.data ? (
          <Alerts messages={problems(invoices.error).general} />
        ) : invoices.data.organization.invoices.length === 0 ? (
          <Empty>No invoices yet.</Empty>
        ) : (
          <Table head={["Month", "Plan", "Total", ""]}>
            {invoices.data.organization.invoices.map((invoice) => (
              <tr key={invoice.id}>
                <td className="px-2 py-2">{invoice.period}</td>
                <td className="px-2 py-2">{invoice.plan}</td>
                <td className="px-2 py-2">{money(invoice.totalCents)}</td>
                <td className="px-2 py-2 text-right">
                  <Link className="underline" to={`/${organization.slug}/invoices/${invoice.id}`}>
                    Open invoice {invoice.period}
                  </Link>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      )}
    </>
  );
}
