// An organization's projects: each one's production URL, last deployment and framework; and
// a new project, with the CLI command and the git webhook to set it up.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { aliasUrl } from "../deployments";
import { problems } from "../errors";
import { allows, useOrganization, useRefetchOnEvents } from "../organization";
import { Alerts, Button, Card, Code, Empty, Field, Loading, Modal, Status, when } from "../ui";

const ProjectsQuery = graphql(`
  query Projects($organization: String!) {
    organization(slug: $organization) {
      projects {
        id
        slug
        name
        createdAt
        settings {
          framework
        }
        productionDeployment {
          id
          url
        }
        deployments(first: 1) {
          nodes {
            id
            status
            createdAt
          }
        }
      }
    }
  }
`);

const CreateProject = graphql(`
  mutation CreateProject($organization: String!, $slug: String!, $name: String!, $framework: String) {
    createProject(organization: $organization, slug: $slug, name: $name, framework: $framework) {
      slug
    }
  }
`);

export default function Projects() {
  const organization = useOrganization();
  const [result, refetch] = useQuery({ query: ProjectsQuery, variables: { organization: organization.slug } });
  useRefetchOnEvents(refetch);
  const [open, setOpen] = useState(false);
  const projects = result.data?.organization.projects ?? [];
  return (
    <>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Projects</h1>
        {allows(organization.role, "ADMIN") && <Button onClick={() => setOpen(true)}>New project</Button>}
      </div>
      {result.fetching && !result.data ? (
        <Loading what="Loading projects" />
      ) : result.error ? (
        <Alerts messages={problems(result.error).general} />
      ) : projects.length === 0 ? (
        <Empty>No projects yet.</Empty>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {projects.map((p) => {
            const last = p.deployments.nodes[0];
            const url = aliasUrl(p.productionDeployment);
            return (
              <li key={p.id}>
                <Card>
                  <Link to={`/${organization.slug}/projects/${p.slug}`} className="text-base font-semibold underline-offset-2 hover:underline">
                    {p.name}
                  </Link>
                  <p className="text-xs text-zinc-500">{p.settings.framework ?? "framework detected at build"}</p>
                  <p className="mt-2 truncate text-sm">
                    {url ? (
                      <a href={url} className="text-indigo-600 underline dark:text-indigo-400">
                        {url}
                      </a>
                    ) : (
                      <span className="text-zinc-500">not in production yet</span>
                    )}
                  </p>
                  {last && (
                    <p className="mt-1 flex items-center gap-2 text-xs text-zinc-500">
                      <Status value={last.status} /> {when(last.createdAt)}
                    </p>
                  )}
                </Card>
              </li>
            );
          })}
        </ul>
      )}
      <NewProject open={open} onOpenChange={setOpen} />
    </>
  );
}

function NewProject({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const organization = useOrganization();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [framework, setFramework] = useState("");
  const [created, create] = useMutation(CreateProject);
  const found = problems(created.error);
  const done = created.data?.createProject.slug;

  async function submit(event: FormEvent) {
    event.preventDefault();
    await create({ organization: organization.slug, slug, name, framework: framework || null });
  }

  return (
    <Modal open={open} onOpenChange={onOpenChange} title={done ? "Project created" : "New project"}>
      {done ? (
        <div className="flex flex-col gap-3 text-sm">
          <p>Deploy a folder from your machine with the CLI:</p>
          <pre className="overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-800">
            {`clouddeck deploy ./dist --org ${organization.slug} --project ${done} --url ${location.origin}\n# add --prebuilt for a built site, --prod for production`}
          </pre>
          <p>
            Or deploy each push to GitHub: connect the repository in the project's <Link className="underline" to={`/${organization.slug}/projects/${done}/settings`}>settings</Link>; GitHub's webhook then goes to{" "}
            <Code>{`${location.origin}/v1/hooks/github/…`}</Code> with the secret shown once there.
          </p>
          <Link className="underline" to={`/${organization.slug}/projects/${done}`} onClick={() => onOpenChange(false)}>
            Open the project
          </Link>
        </div>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-3">
          <Field label="Name" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={found.fields.name} />
          <Field label="Slug" name="slug" required value={slug} onChange={(e) => setSlug(e.target.value)} error={found.fields.slug} hint="names the project in its URLs" />
          <Field label="Framework (optional)" name="framework" value={framework} onChange={(e) => setFramework(e.target.value)} error={found.fields.framework} hint="detected from the source when empty" />
          <Alerts messages={found.general} />
          <Button type="submit" disabled={created.fetching}>
            Create project
          </Button>
        </form>
      )}
    </Modal>
  );
}
