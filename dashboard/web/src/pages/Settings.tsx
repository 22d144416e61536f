// A project's settings: how it builds, its environment variables (names and scopes only: the
// API never returns a value), the git repository it follows, and deleting it.
import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { EnvTarget, ProjectSettingsInput } from "../gql/graphql";
import { problems } from "../errors";
import { allows, useOrganization, useRefetchOnEvents } from "../organization";
import { ProjectNav } from "../ProjectNav";
import { Alerts, Button, Card, Code, Empty, Field, Loading, Modal, Secret, Select, Table, when } from "../ui";

const SettingsQuery = graphql(`
  query ProjectSettingsPage($organization: String!, $project: String!) {
    project(organization: $organization, slug: $project) {
      id
      slug
      name
      settings {
        framework
        installCommand
        buildCommand
        outputDirectory
        rootDirectory
        productionBranch
      }
      envVars {
        key
        target
        updatedAt
      }
    }
  }
`);

const UpdateSettings = graphql(`
  mutation UpdateProjectSettings($organization: String!, $project: String!, $settings: ProjectSettingsInput!) {
    updateProjectSettings(organization: $organization, project: $project, settings: $settings) {
      id
      settings {
        framework
        installCommand
        buildCommand
        outputDirectory
        rootDirectory
        productionBranch
      }
    }
  }
`);

const SetEnvVar = graphql(`
  mutation SetEnvVar($organization: String!, $project: String!, $key: String!, $value: String!, $target: EnvTarget!) {
    setEnvVar(organization: $organization, project: $project, key: $key, value: $value, target: $target) {
      key
      target
    }
  }
`);

const RemoveEnvVar = graphql(`
  mutation RemoveEnvVar($organization: String!, $project: String!, $key: String!, $target: EnvTarget!) {
    removeEnvVar(organization: $organization, project: $project, key: $key, target: $target)
  }
`);

const ConnectGit = graphql(`
  mutation ConnectGitRepository($organization: String!, $project: String!, $repositoryUrl: String!) {
    connectGitRepository(organization: $organization, project: $project, repositoryUrl: $repositoryUrl) {
      webhookPath
      secret
    }
  }
`);

const DeleteProject = graphql(`
  mutation DeleteProject($organization: String!, $project: String!) {
    deleteProject(organization: $organization, project: $project)
  }
`);

// The form's fields, named as the API's arguments so `extensions.field` lands beside them.
const SETTINGS = [
  ["framework", "Framework"],
  ["installCommand", "Install command"],
  ["buildCommand", "Build command"],
  ["outputDirectory", "Output directory"],
  ["rootDirectory", "Root directory"],
  ["productionBranch", "Production branch"],
] as const;
type SettingKey = (typeof SETTINGS)[number][0];
type SettingValues = Partial<Record<SettingKey, string | null>>;

const TARGETS: EnvTarget[] = ["PRODUCTION", "PREVIEW", "ALL"];

export default function Settings() {
  const { project: slug = "" } = useParams();
  const organization = useOrganization();
  const [result, refetch] = useQuery({ query: SettingsQuery, variables: { organization: organization.slug, project: slug } });
  useRefetchOnEvents(refetch);
  const project = result.data?.project;
  if (result.fetching && !project) return <Loading what="Loading the settings" />;
  if (!project) return <Alerts messages={problems(result.error).general} />;
  const reload = () => refetch({ requestPolicy: "network-only" });
  return (
    <>
      <ProjectNav org={organization.slug} project={slug} name={project.name} />
      <BuildSettings key={project.id} slug={slug} initial={project.settings} />
      <EnvVars slug={slug} vars={project.envVars} onChange={reload} />
      <Git slug={slug} />
      {allows(organization.role, "ADMIN") && <DangerZone slug={slug} />}
    </>
  );
}

function BuildSettings({ slug, initial }: { slug: string; initial: SettingValues }) {
  const organization = useOrganization();
  const [values, setValues] = useState<Record<SettingKey, string>>(() => blanks(initial));
  const [saved, setSaved] = useState(false);
  const [updated, update] = useMutation(UpdateSettings);
  const found = problems(updated.error);
  const [base, setBase] = useState(initial);

  if (!allows(organization.role, "ADMIN")) {
    return (
      <Card title="Build settings">
        <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {SETTINGS.map(([key, label]) => (
            <div key={key} className="contents">
              <dt className="font-medium">{label}</dt>
              <dd className="text-zinc-600 dark:text-zinc-400">{initial[key] ? <Code>{initial[key]}</Code> : "detected at build"}</dd>
            </div>
          ))}
        </dl>
      </Card>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    // Only what changed: the API reads a missing (null) setting as "leave it as it is".
    const settings: ProjectSettingsInput = {};
    for (const [key] of SETTINGS) {
      const value = values[key].trim();
      if (value !== (base[key] ?? "")) settings[key] = value;
    }
    const answer = await update({ organization: organization.slug, project: slug, settings });
    const now = answer.data?.updateProjectSettings.settings;
    if (now) {
      setBase(now);
      setValues(blanks(now));
      setSaved(true);
    }
  }

  return (
    <Card title="Build settings">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <div className="grid gap-3 sm:grid-cols-2">
          {SETTINGS.map(([key, label]) => (
            <Field key={key} label={label} name={key} value={values[key]} error={found.fields[key]} hint={key === "productionBranch" ? undefined : "empty: detected at build"} onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))} />
          ))}
        </div>
        <Alerts messages={found.general} />
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={updated.fetching}>
            Save settings
          </Button>
          {saved && <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">Settings saved.</span>}
        </div>
      </form>
    </Card>
  );
}

function blanks(values: SettingValues): Record<SettingKey, string> {
  return Object.fromEntries(SETTINGS.map(([key]) => [key, values[key] ?? ""])) as Record<SettingKey, string>;
}

function EnvVars({ slug, vars, onChange }: { slug: string; vars: { key: string; target: string; updatedAt: string }[]; onChange: () => void }) {
  const organization = useOrganization();
  const canEdit = allows(organization.role, "DEVELOPER");
  const admin = allows(organization.role, "ADMIN");
  // The server's rule (command-handlers' project.rs): preview variables need a developer,
  // production and all-target ones an admin.
  const targets: EnvTarget[] = admin ? TARGETS : ["PREVIEW"];
  const mayChange = (target: string) => admin || (canEdit && target.toUpperCase() === "PREVIEW");
  // Developers may only set preview variables (production ones need an admin).
  const [target, setTarget] = useState<EnvTarget>(allows(organization.role, "ADMIN") ? "PRODUCTION" : "PREVIEW");
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [savedKey, setSavedKey] = useState<string | null>(null);
  const [set, setVar] = useMutation(SetEnvVar);
  const [removed, remove] = useMutation(RemoveEnvVar);
  const found = problems(set.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSavedKey(null);
    const answer = await setVar({ organization: organization.slug, project: slug, key, value, target });
    if (!answer.error) {
      setSavedKey(`${key} (${target.toLowerCase()})`);
      setKey("");
      setValue("");
      onChange();
    }
  }

  async function drop(row: { key: string; target: string }) {
    // The list spells targets in lowercase; the mutation takes the enum.
    const answer = await remove({ organization: organization.slug, project: slug, key: row.key, target: row.target.toUpperCase() as EnvTarget });
    if (!answer.error) onChange();
  }

  return (
    <Card title="Environment variables">
      <div className="flex flex-col gap-3">
        {vars.length === 0 ? (
          <Empty>No environment variables.</Empty>
        ) : (
          <Table head={["Key", "Target", "Updated", ""]}>
            {vars.map((v) => (
              <tr key={`${v.key}/${v.target}`} data-env-var={v.key}>
                <td className="min-w-40 px-2 py-2"><Code>{v.key}</Code></td>
                <td className="px-2 py-2 text-xs">{v.target}</td>
                <td className="px-2 py-2 text-xs">{when(v.updatedAt)}</td>
                <td className="px-2 py-2 text-right">
                  {mayChange(v.target) && (
                    <Button variant="secondary" disabled={removed.fetching} onClick={() => drop(v)} aria-label={`Remove ${v.key} (${v.target})`}>
                      Remove
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Alerts messages={problems(removed.error).general} />
        {canEdit && (
          <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end">
            <Field label="Key" name="key" required value={key} onChange={(e) => setKey(e.target.value)} error={found.fields.key} />
            <Field label="Value" name="value" type="password" autoComplete="new-password" value={value} onChange={(e) => setValue(e.target.value)} error={found.fields.value} />
            <Select label="Target" name="target" options={targets} value={target} onChange={(e) => setTarget(e.target.value as EnvTarget)} />
            <Button type="submit" disabled={set.fetching}>
              Save variable
            </Button>
          </form>
        )}
        <Alerts messages={found.general.concat(found.fields.target ? [found.fields.target] : [])} />
        {savedKey && <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">Saved {savedKey}; the next deployment gets it.</p>}
      </div>
    </Card>
  );
}

function Git({ slug }: { slug: string }) {
  const organization = useOrganization();
  const [url, setUrl] = useState("");
  const [connected, connect] = useMutation(ConnectGit);
  const found = problems(connected.error);
  const answer = connected.data?.connectGitRepository;
  const admin = allows(organization.role, "ADMIN");
  return (
    <Card title="Git">
      <div className="flex flex-col gap-3 text-sm">
        <p className="text-zinc-600 dark:text-zinc-400">Each push to the repository deploys it: the production branch to production, the others as previews.</p>
        {admin ? (
          <form onSubmit={(e) => { e.preventDefault(); connect({ organization: organization.slug, project: slug, repositoryUrl: url.trim() }); }} className="flex flex-col gap-3 sm:flex-row sm:items-end">
            <div className="grow">
              <Field label="Repository URL" name="repositoryUrl" type="url" required placeholder="https://github.com/owner/repo" value={url} onChange={(e) => setUrl(e.target.value)} error={found.fields.repositoryUrl} />
            </div>
            <Button type="submit" disabled={connected.fetching}>
              Connect repository
            </Button>
          </form>
        ) : (
          <p className="text-zinc-500">Connecting a repository needs the admin role.</p>
        )}
        <Alerts messages={found.general} />
        {answer && (
          <div className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950">
            <p>
              In GitHub, open the repository's <strong>Settings → Webhooks → Add webhook</strong> and paste both values below, with content type <Code>application/json</Code> and <em>Just the push event</em>.
            </p>
            <p className="font-medium">Payload URL</p>
            <Secret testId="webhook-url">{`${location.origin}${answer.webhookPath}`}</Secret>
            <p className="font-medium">Secret</p>
            <Secret testId="webhook-secret">{answer.secret}</Secret>
            <p className="text-xs">The secret is shown only once: copy it now. Connecting again makes a new one.</p>
          </div>
        )}
      </div>
    </Card>
  );
}

function DangerZone({ slug }: { slug: string }) {
  const organization = useOrganization();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [deleted, remove] = useMutation(DeleteProject);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const answer = await remove({ organization: organization.slug, project: slug });
    if (answer.data?.deleteProject) navigate(`/${organization.slug}`);
  }

  return (
    <Card title="Danger zone">
      <div className="flex flex-col gap-3 text-sm sm:flex-row sm:items-center sm:justify-between">
        <p>Deleting the project takes its site offline. It cannot be undone.</p>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete project
        </Button>
      </div>
      <Modal open={open} onOpenChange={(o) => { setOpen(o); setTyped(""); }} title="Delete project">
        <form onSubmit={confirm} className="flex flex-col gap-3 text-sm">
          <p>
            This cannot be undone. Type <Code>{slug}</Code> to confirm.
          </p>
          <Field label="Project slug" name="confirmSlug" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
          <Alerts messages={problems(deleted.error).general} />
          <div className="flex flex-wrap justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={typed !== slug || deleted.fetching}>
              Delete project
            </Button>
          </div>
        </form>
      </Modal>
    </Card>
  );
}
