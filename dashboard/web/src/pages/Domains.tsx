// A project's custom domains, live: where each stands, the DNS records to create for it, its
// certificate and HSTS; adding, verifying now and removing them.
import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { ProjectDomainsQuery } from "../gql/graphql";
import { problems } from "../errors";
import { allows, useOrganization, useRefetchOnEvents } from "../organization";
import { ProjectNav } from "../ProjectNav";
import { Alerts, Button, Card, Code, Empty, Field, Loading, Modal, Status, Table, when } from "../ui";

const DomainsQuery = graphql(`
  query ProjectDomains($organization: String!, $project: String!) {
    project(organization: $organization, slug: $project) {
      id
      name
      domains {
        id
        hostname
        redirectTo
        status
        lastError
        checks
        hstsMaxAge
        hstsIncludeSubdomains
        createdAt
        dnsRecords {
          recordType
          name
          value
        }
        certificate {
          status
          issuer
          notAfter
          error
        }
      }
    }
  }
`);

const AddDomain = graphql(`
  mutation AddDomain($organization: String!, $project: String!, $hostname: String!, $redirectTo: String) {
    addDomain(organization: $organization, project: $project, hostname: $hostname, redirectTo: $redirectTo) {
      id
      hostname
    }
  }
`);

const VerifyDomain = graphql(`
  mutation VerifyDomain($id: String!) {
    verifyDomain(id: $id) {
      id
      status
      lastError
      checks
    }
  }
`);

const SetDomainHsts = graphql(`
  mutation SetDomainHsts($id: String!, $maxAgeSeconds: Int!, $includeSubdomains: Boolean!) {
    setDomainHsts(id: $id, maxAgeSeconds: $maxAgeSeconds, includeSubdomains: $includeSubdomains) {
      id
      hstsMaxAge
      hstsIncludeSubdomains
    }
  }
`);

const RemoveDomain = graphql(`
  mutation RemoveDomain($id: String!) {
    removeDomain(id: $id)
  }
`);

type Domain = ProjectDomainsQuery["project"]["domains"][number];

export default function Domains() {
  const { project: slug = "" } = useParams();
  const organization = useOrganization();
  const [result, refetch] = useQuery({ query: DomainsQuery, variables: { organization: organization.slug, project: slug } });
  useRefetchOnEvents(refetch);
  const project = result.data?.project;
  if (result.fetching && !project) return <Loading what="Loading the domains" />;
  if (!project) return <Alerts messages={problems(result.error).general} />;
  const reload = () => refetch({ requestPolicy: "network-only" });
  return (
    <>
      <ProjectNav org={organization.slug} project={slug} name={project.name} />
      {allows(organization.role, "DEVELOPER") && <AddDomainForm slug={slug} onAdded={reload} />}
      {project.domains.length === 0 ? (
        <Empty>No custom domains yet. The project is served at its CloudDeck address.</Empty>
      ) : (
        project.domains.map((d) => <DomainCard key={d.id} domain={d} onChange={reload} />)
      )}
    </>
  );
}

function AddDomainForm({ slug, onAdded }: { slug: string; onAdded: () => void }) {
  const organization = useOrganization();
  const [hostname, setHostname] = useState("");
  const [redirectTo, setRedirectTo] = useState("");
  const [added, add] = useMutation(AddDomain);
  // QUOTA_EXCEEDED and CONFLICT name no field: they land in the general alerts.
  const found = problems(added.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await add({ organization: organization.slug, project: slug, hostname: hostname.trim(), redirectTo: redirectTo.trim() || null });
    if (!answer.error) {
      setHostname("");
      setRedirectTo("");
      onAdded();
    }
  }

  return (
    <Card title="Add domain">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Hostname" name="hostname" required placeholder="www.example.com" autoCapitalize="none" value={hostname} onChange={(e) => setHostname(e.target.value)} error={found.fields.hostname} />
          <Field label="Redirect to" name="redirectTo" placeholder="example.com" autoCapitalize="none" value={redirectTo} onChange={(e) => setRedirectTo(e.target.value)} error={found.fields.redirectTo} hint="optional: another of this project's domains, answered with a 308 redirect" />
        </div>
        <Alerts messages={found.general} />
        <div>
          <Button type="submit" disabled={added.fetching}>
            Add domain
          </Button>
        </div>
      </form>
    </Card>
  );
}

function DomainCard({ domain, onChange }: { domain: Domain; onChange: () => void }) {
  const organization = useOrganization();
  const canEdit = allows(organization.role, "DEVELOPER");
  const [verified, verify] = useMutation(VerifyDomain);
  const [removed, remove] = useMutation(RemoveDomain);
  const [confirming, setConfirming] = useState(false);
  const certificate = domain.certificate;
  // Only a domain still waiting for (or failed) verification has anything to check.
  const checkable = domain.status === "PENDING_VERIFICATION" || domain.status === "FAILED";

  async function verifyNow() {
    await verify({ id: domain.id });
    onChange();
  }

  async function confirmRemove() {
    const answer = await remove({ id: domain.id });
    if (!answer.error) {
      setConfirming(false);
      onChange();
    }
  }

  return (
    <Card
      title={
        <span className="flex flex-wrap items-center gap-2" data-domain={domain.hostname}>
          <span className="break-all">{domain.hostname}</span> <Status value={domain.status} />
        </span>
      }
      actions={
        canEdit && (
          <>
            {checkable && (
              // The check can take up to 15 s: the button stays disabled (and named the same) meanwhile.
              <Button variant="secondary" disabled={verified.fetching} aria-busy={verified.fetching} onClick={verifyNow}>
                Verify now
              </Button>
            )}
            <Button variant="secondary" onClick={() => setConfirming(true)}>
              Remove
            </Button>
          </>
        )
      }
    >
      <div className="flex flex-col gap-3 text-sm">
        {domain.redirectTo && (
          <p>
            Redirects (308) to <Code>{domain.redirectTo}</Code>.
          </p>
        )}
        {verified.fetching && <Loading what="Checking the DNS records (up to 15 seconds)" />}
        {domain.lastError && <p className="text-red-700 dark:text-red-400">{domain.lastError}</p>}
        <p className="text-xs text-zinc-500">
          Added {when(domain.createdAt)} · {domain.checks} DNS {domain.checks === 1 ? "check" : "checks"} so far
        </p>
        <Alerts messages={problems(verified.error).general} />
        <div>
          <p className="mb-1">Create these records at your DNS provider (the TXT record proves the domain is yours; the other points it here):</p>
          <Table head={["Type", "Name", "Value"]}>
            {domain.dnsRecords.map((r) => (
              <tr key={`${r.recordType} ${r.name} ${r.value}`} data-testid="dns-record">
                <td className="px-2 py-2 font-mono text-xs">{r.recordType}</td>
                <td className="min-w-40 px-2 py-2"><Code>{r.name}</Code></td>
                <td className="min-w-40 px-2 py-2"><Code>{r.value}</Code></td>
              </tr>
            ))}
          </Table>
        </div>
        <div>
          <p className="font-medium">Certificate</p>
          {certificate ? (
            <p className="flex flex-wrap items-center gap-2 text-xs">
              <Status value={certificate.status} />
              {certificate.issuer && <span>by {certificate.issuer}</span>}
              {certificate.notAfter && <span>valid until {when(certificate.notAfter)}</span>}
              {certificate.error && <span className="text-red-700 dark:text-red-400">{certificate.error}</span>}
            </p>
          ) : (
            <p className="text-xs text-zinc-500">Ordered once the domain is verified.</p>
          )}
        </div>
        <p className="text-xs">
          HSTS: {domain.hstsMaxAge > 0 ? <Code>{`max-age=${domain.hstsMaxAge}${domain.hstsIncludeSubdomains ? "; includeSubDomains" : ""}`}</Code> : "off"}
        </p>
        {allows(organization.role, "ADMIN") && <HstsForm domain={domain} onSaved={onChange} />}
      </div>
      <Modal open={confirming} onOpenChange={setConfirming} title={`Remove ${domain.hostname}?`}>
        <div className="flex flex-col gap-3 text-sm">
          <p>The domain stops serving at once, and its hostname is free again.</p>
          <Alerts messages={problems(removed.error).general} />
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" disabled={removed.fetching} onClick={confirmRemove}>
              Remove domain
            </Button>
          </div>
        </div>
      </Modal>
    </Card>
  );
}

function HstsForm({ domain, onSaved }: { domain: Domain; onSaved: () => void }) {
  const [maxAge, setMaxAge] = useState(String(domain.hstsMaxAge));
  const [subdomains, setSubdomains] = useState(domain.hstsIncludeSubdomains);
  const [saved, save] = useMutation(SetDomainHsts);
  const found = problems(saved.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await save({ id: domain.id, maxAgeSeconds: Number(maxAge), includeSubdomains: subdomains });
    if (!answer.error) onSaved();
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-3 rounded-md border border-zinc-200 p-3 sm:flex-row sm:items-end dark:border-zinc-800">
      <Field
        label="HSTS max-age (seconds)"
        id={`hsts-${domain.id}`}
        name="maxAgeSeconds"
        type="number"
        min={0}
        max={63072000}
        required
        value={maxAge}
        onChange={(e) => setMaxAge(e.target.value)}
        error={found.fields.maxAgeSeconds}
        hint="0 turns it off; browsers then refuse plain HTTP for this long, so set it once HTTPS works"
      />
      <label className="flex items-center gap-2 text-sm sm:pb-2">
        <input type="checkbox" checked={subdomains} onChange={(e) => setSubdomains(e.target.checked)} />
        Include subdomains
      </label>
      <div className="sm:pb-0.5">
        <Button type="submit" variant="secondary" disabled={saved.fetching}>
          Save HSTS
        </Button>
      </div>
      <Alerts messages={found.general} />
    </form>
  );
}
