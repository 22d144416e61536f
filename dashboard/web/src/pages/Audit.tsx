// The organization's audit log, oldest first, a page at a time, filtered by event types and
// actor. The filters and the page live in the URL, so a filtered view can be linked to; and
// `?position=N` opens the one event at log position N (the invoice page links its sources so).
import { Fragment, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { AuditLogQuery } from "../gql/graphql";
import { problems } from "../errors";
import { useOrganization, useRefetchOnEvents } from "../organization";
import { Alerts, Button, Card, Code, Empty, Field, Loading, Table, when } from "../ui";

const AuditQuery = graphql(`
  query AuditLog($organization: String!, $after: Int, $types: [String!], $actor: String, $first: Int) {
    auditLog(organization: $organization, after: $after, types: $types, actor: $actor, first: $first) {
      events {
        position
        eventId
        stream
        version
        type
        actor
        recordedAt
        payload
      }
      nextAfter
    }
  }
`);

const PAGE = 50;

/** A non-negative whole number from the URL, or null. */
function whole(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

export default function Audit() {
  const organization = useOrganization();
  const [params, setParams] = useSearchParams();
  const typesParam = params.get("types") ?? "";
  const actorParam = params.get("actor") ?? "";
  const after = whole(params.get("after"));
  const positionParam = params.get("position");
  const position = whole(positionParam);
  const single = positionParam !== null;
  const types = typesParam
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

  // One event: the page of one after the position before it (the filters do not apply).
  const variables = single
    ? { organization: organization.slug, after: Math.max((position ?? 1) - 1, 0), first: 1 }
    : { organization: organization.slug, after, types: types.length ? types : null, actor: actorParam.trim() || null, first: PAGE };
  const [result, refetch] = useQuery({ query: AuditQuery, variables, pause: single && position === null });
  useRefetchOnEvents(refetch);

  const page = result.data?.auditLog;
  // The page after N-1 starts at the next event there is: show it only if it is N itself.
  const events = single ? (page?.events ?? []).filter((e) => e.position === position) : (page?.events ?? []);

  function nextPage(nextAfter: number) {
    const next = new URLSearchParams(params);
    next.set("after", String(nextAfter));
    setParams(next);
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Audit log</h1>
      {single ? (
        <p className="text-sm">
          The event at log position <Code>{positionParam}</Code>.{" "}
          <Link className="underline" to={`/${organization.slug}/audit`}>
            Show the whole log
          </Link>
        </p>
      ) : (
        <Filters key={`${typesParam}|${actorParam}`} types={typesParam} actor={actorParam} onApply={(t, a) => setParams(filterParams(t, a))} />
      )}
      <Card>
        {single && position === null ? (
          <Alerts messages={[`"${positionParam}" is not a log position.`]} />
        ) : result.fetching && !result.data ? (
          <Loading what="Loading the audit log" />
        ) : result.error ? (
          <Alerts messages={problems(result.error).general} />
        ) : events.length === 0 ? (
          <Empty>{single ? `No event of this organization at position ${position}.` : after !== null ? "No more events." : "No events match."}</Empty>
        ) : (
          <Table head={["Position", "Type", "Actor", "Recorded", "Stream", "Payload"]}>
            {events.map((e) => (
              <EventRow key={e.position} event={e} initiallyOpen={single} />
            ))}
          </Table>
        )}
      </Card>
      {!single && (
        <div className="flex flex-wrap gap-2">
          {after !== null && (
            <Button variant="secondary" onClick={() => setParams(filterParams(typesParam, actorParam))}>
              First page
            </Button>
          )}
          {page?.nextAfter != null && (
            <Button variant="secondary" onClick={() => nextPage(page.nextAfter as number)}>
              Next page
            </Button>
          )}
        </div>
      )}
    </>
  );
}

type AuditEvent = AuditLogQuery["auditLog"]["events"][number];

/**
 * An event, and under it (when opened) its payload across the whole table: in the last
 * column it would sit off-screen on a phone. Sticky at the left, so it stays in view while
 * the table scrolls sideways.
 */
function EventRow({ event: e, initiallyOpen }: { event: AuditEvent; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <Fragment>
      <tr data-position={e.position} className="align-top">
        <td className="px-2 py-2 font-mono text-xs">{e.position}</td>
        <td className="px-2 py-2 font-mono text-xs whitespace-nowrap">{e.type}</td>
        <td className="min-w-32 px-2 py-2 text-xs break-all">{e.actor}</td>
        <td className="px-2 py-2 text-xs whitespace-nowrap">{when(e.recordedAt)}</td>
        <td className="min-w-32 px-2 py-2 text-xs break-all">
          {e.stream} <span className="text-zinc-500">v{e.version}</span>
        </td>
        <td className="px-2 py-1">
          <Button variant="secondary" className="px-2 py-0.5 text-xs" aria-expanded={open} aria-controls={`payload-${e.position}`} onClick={() => setOpen(!open)}>
            Payload
          </Button>
        </td>
      </tr>
      {open && (
        <tr id={`payload-${e.position}`} data-payload={e.position}>
          <td colSpan={6} className="px-2 pb-2">
            <pre className="sticky left-0 max-h-96 max-w-[calc(100vw-4rem)] overflow-auto rounded bg-zinc-100 p-2 text-xs sm:max-w-3xl dark:bg-zinc-800">
              {JSON.stringify(e.payload, null, 2)}
            </pre>
          </td>
        </tr>
      )}
    </Fragment>
  );
}

/** The URL of the log's first page under these filters. */
function filterParams(types: string, actor: string): URLSearchParams {
  const next = new URLSearchParams();
  if (types.trim()) next.set("types", types.trim());
  if (actor.trim()) next.set("actor", actor.trim());
  return next;
}

function Filters({ types, actor, onApply }: { types: string; actor: string; onApply: (types: string, actor: string) => void }) {
  const [typesText, setTypesText] = useState(types);
  const [actorText, setActorText] = useState(actor);

  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(typesText, actorText);
  }

  return (
    <Card>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
        <Field label="Event types" name="types" placeholder="deployment.ready, domain.verified" autoCapitalize="none" value={typesText} onChange={(e) => setTypesText(e.target.value)} hint="comma-separated; empty: all" />
        <Field label="Actor" name="actor" placeholder="user:ID" autoCapitalize="none" value={actorText} onChange={(e) => setActorText(e.target.value)} hint="user:ID, token:ID or system:NAME" />
        <div className="sm:pb-5">
          <Button type="submit">Filter</Button>
        </div>
      </form>
    </Card>
  );
}
