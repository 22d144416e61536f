// One deployment, live: its status as it moves (the `deployment` subscription sends it again
// on each change) and its build log as it is written (only the new chunks are fetched, with
// `logSince`, so a long build's log crosses the wire once), its URL, and its requests.
import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { useClient, useSubscription } from "urql";
import { graphql } from "../gql";
import { duration, source } from "../deployments";
import { problems } from "../errors";
import { useOrganization } from "../organization";
import { Alerts, Card, Code, Loading, Status, when } from "../ui";

const LiveDeployment = graphql(`
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
        logChunks
      }
      analytics {
        status2xx
        status3xx
        status4xx
        status5xx
      }
    }
  }
`);

const LogSince = graphql(`
  query DeploymentLog($id: String!, $chunk: Int!) {
    deployment(id: $id) {
      id
      logSince(chunk: $chunk) {
        chunks
        lines
      }
    }
  }
`);

/** The build log, fetched chunk by chunk as `written` (the count of chunks) grows. */
function useBuildLog(id: string, written: number): string[] {
  const client = useClient();
  const [lines, setLines] = useState<string[]>([]);
  const seen = useRef(0);
  const latest = useRef(0);
  const busy = useRef(false);
  const mounted = useRef(true);
  latest.current = written;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const pump = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      // (re-checked after each answer: chunks written meanwhile are fetched in the same run)
      while (mounted.current && seen.current < latest.current) {
        const answer = await client.query(LogSince, { id, chunk: seen.current }, { requestPolicy: "network-only" }).toPromise();
        const page = answer.data?.deployment.logSince;
        if (!page || page.chunks <= seen.current) break;
        const fresh = page.lines;
        seen.current = page.chunks;
        setLines((before) => before.concat(fresh));
      }
    } finally {
      busy.current = false;
    }
  }, [client, id]);
  useEffect(() => {
    void pump();
  }, [written, pump]);
  return lines;
}

export default function DeploymentPage() {
  const { id = "" } = useParams();
  // (a new page per deployment: nothing of one's log shows under another's)
  return <Deployment key={id} id={id} />;
}

function Deployment({ id }: { id: string }) {
  const { project = "" } = useParams();
  const organization = useOrganization();
  const [result] = useSubscription({ query: LiveDeployment, variables: { id } });
  const logEnd = useRef<HTMLDivElement>(null);
  const d = result.data?.deployment;
  const log = useBuildLog(id, d?.build.logChunks ?? 0);
  const lines = log.length;
  useEffect(() => {
    logEnd.current?.scrollIntoView({ block: "nearest" });
  }, [lines]);
  if (!d) return result.error ? <Alerts messages={problems(result.error).general} /> : <Loading what="Loading the deployment" />;
  return (
    <>
      <Link className="text-sm underline" to={`/${organization.slug}/projects/${project}`}>
        ← {project}
      </Link>
      <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold">
        Deployment <Code>{d.id}</Code> <Status value={d.status} />
      </h1>
      <Card>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-zinc-500">URL</dt>
          <dd className="truncate">{d.url ? <a className="underline" href={d.url}>{d.url}</a> : "—"}</dd>
          <dt className="text-zinc-500">Target</dt>
          <dd>{d.target}</dd>
          <dt className="text-zinc-500">Source</dt>
          <dd>
            {source(d)} {d.commitSha && <Code>{d.commitSha}</Code>}
          </dd>
          <dt className="text-zinc-500">Created</dt>
          <dd>{when(d.createdAt)}</dd>
          <dt className="text-zinc-500">Build</dt>
          <dd>{duration(d.build.durationMs) || "—"}</dd>
          <dt className="text-zinc-500">Requests</dt>
          <dd>
            2xx {d.analytics.status2xx} · 3xx {d.analytics.status3xx} · 4xx {d.analytics.status4xx} · 5xx {d.analytics.status5xx}
          </dd>
        </dl>
        {d.build.error && <Alerts messages={[d.build.error]} />}
      </Card>
      {result.error && (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          Live updates stopped ({problems(result.error).general.join("; ")}); reload the page to resume.
        </p>
      )}
      <Card title="Build log">
        <div role="log" aria-live="polite" data-testid="build-log" className="max-h-[60vh] overflow-auto rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-100">
          {lines === 0 ? <p className="text-zinc-400">No output yet.</p> : log.map((line, i) => <div key={i} className="whitespace-pre-wrap">{line}</div>)}
          <div ref={logEnd} />
        </div>
      </Card>
    </>
  );
}
