// One deployment, live: its status and build log as they are written (the `deployment`
// subscription sends it again on each change), its URL, and its requests.
import { useEffect, useRef } from "react";
import { Link, useParams } from "react-router";
import { useSubscription } from "urql";
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
      }
      log
      analytics {
        status2xx
        status3xx
        status4xx
        status5xx
      }
    }
  }
`);

export default function Deployment() {
  const { project = "", id = "" } = useParams();
  const organization = useOrganization();
  const [result] = useSubscription({ query: LiveDeployment, variables: { id } });
  const logEnd = useRef<HTMLDivElement>(null);
  const d = result.data?.deployment;
  const lines = d?.log.length ?? 0;
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
      <Card title="Build log">
        <div role="log" aria-live="polite" data-testid="build-log" className="max-h-[60vh] overflow-auto rounded bg-zinc-950 p-2 font-mono text-xs text-zinc-100">
          {lines === 0 ? <p className="text-zinc-400">No output yet.</p> : d.log.map((line, i) => <div key={i} className="whitespace-pre-wrap">{line}</div>)}
          <div ref={logEnd} />
        </div>
      </Card>
    </>
  );
}
