// A project's deployments, live: each one's status as it moves, URL, source, commit and
// duration; the production alias marked; promote and rollback for those who may.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { aliasUrl, duration, source } from "../deployments";
import { problems } from "../errors";
import { allows, useOrganization, useRefetchOnEvents } from "../organization";
import { ProjectNav } from "../ProjectNav";
import { Alerts, Button, Card, Code, Empty, Loading, Status, Table, when } from "../ui";

const ProjectQuery = graphql(`
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
`);

const Promote = graphql(`
  mutation Promote($id: String!) {
    promoteDeployment(id: $id) {
      id
      status
    }
  }
`);

const Rollback = graphql(`
  mutation Rollback($id: String!) {
    rollbackDeployment(id: $id) {
      id
      status
    }
  }
`);

export default function Project() {
  const { project: slug = "" } = useParams();
  const organization = useOrganization();
  // How many of the newest deployments are shown; "Show more" asks for the next 50 (the
  // API gives at most 100 a page, so past that the list says where to look).
  const [first, setFirst] = useState(50);
  const [result, refetch] = useQuery({ query: ProjectQuery, variables: { organization: organization.slug, project: slug, first } });
  useRefetchOnEvents(refetch);
  const [promoted, promote] = useMutation(Promote);
  const [rolledBack, rollback] = useMutation(Rollback);
  const [acting, setActing] = useState<string | null>(null);
  const project = result.data?.project;
  if (result.fetching && !project) return <Loading what="Loading the project" />;
  if (!project) return <Alerts messages={problems(result.error).general} />;
  const production = project.productionDeployment;
  const productionUrl = aliasUrl(production);
  const canDeploy = allows(organization.role, "DEVELOPER");
  // Rollback goes to a ready deployment created before production; promote to any other ready one.
  const productionIndex = project.deployments.nodes.findIndex((d) => d.id === production?.id);

  async function act(id: string, kind: "promote" | "rollback") {
    setActing(id);
    if (kind === "promote") await promote({ id });
    else await rollback({ id });
    setActing(null);
    refetch({ requestPolicy: "network-only" });
  }

  return (
    <>
      <ProjectNav org={organization.slug} project={slug} name={project.name} />
      <Card title="Production">
        {productionUrl ? (
          <p className="text-sm">
            <a className="text-indigo-600 underline dark:text-indigo-400" href={productionUrl} data-testid="production-url">
              {productionUrl}
            </a>{" "}
            serves <Code>{production?.id.slice(0, 13)}</Code>
          </p>
        ) : (
          <p className="text-sm text-zinc-500">No deployment is in production yet.</p>
        )}
      </Card>
      <Alerts messages={[...problems(promoted.error).general, ...problems(rolledBack.error).general]} />
      <Card title="Deployments">
        {project.deployments.nodes.length === 0 ? (
          <Empty>
            No deployments yet. Deploy with <Code>clouddeck deploy ./dir --project {slug}</Code>.
          </Empty>
        ) : (
          <Table head={["Deployment", "Status", "Source", "Created", "Duration", ""]}>
            {project.deployments.nodes.map((d, index) => {
              const isProduction = d.id === production?.id;
              const older = productionIndex >= 0 && index > productionIndex;
              return (
                <tr key={d.id} data-deployment={d.id}>
                  <td className="px-2 py-2">
                    <Link className="font-mono text-xs underline" to={`/${organization.slug}/projects/${slug}/deployments/${d.id}`}>
                      {d.id.slice(0, 13)}
                    </Link>
                    {isProduction && (
                      <span data-testid="production-marker" className="ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-800 dark:bg-indigo-900 dark:text-indigo-200">
                        production
                      </span>
                    )}
                    {d.url && (
                      <a className="block max-w-64 truncate text-xs text-zinc-500 underline" href={d.url}>
                        {d.url}
                      </a>
                    )}
                  </td>
                  <td className="px-2 py-2">
                    <Status value={d.status} />
                    {d.build.error && <p className="max-w-48 truncate text-xs text-red-600" title={d.build.error}>{d.build.error}</p>}
                  </td>
                  <td className="px-2 py-2 text-xs">
                    {source(d)} {d.commitSha && <Code>{d.commitSha.slice(0, 7)}</Code>}
                    <span className="block text-zinc-500">{d.target}</span>
                  </td>
                  <td className="px-2 py-2 text-xs">{when(d.createdAt)}</td>
                  <td className="px-2 py-2 text-xs">{duration(d.build.durationMs)}</td>
                  <td className="px-2 py-2 text-right">
                    {canDeploy && d.status === "ready" && !isProduction && (
                      <Button variant="secondary" disabled={acting === d.id} onClick={() => act(d.id, older ? "rollback" : "promote")}>
                        {older ? "Roll back to this" : "Promote"}
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
        {project.deployments.pageInfo.hasNextPage &&
          (first < 100 ? (
            <Button variant="secondary" className="mt-3" onClick={() => setFirst(100)}>
              Show more
            </Button>
          ) : (
            <p className="mt-3 text-xs text-zinc-500">
              The newest 100 are shown; <Code>clouddeck deployments ls</Code> and the API's <Code>deployments(after:)</Code> page through the rest.
            </p>
          ))}
      </Card>
    </>
  );
}
