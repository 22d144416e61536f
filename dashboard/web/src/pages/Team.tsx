// An organization's people and machines: members and their roles, invitations, and API
// tokens. Each card has its own query, so a part the caller may not read fails alone.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";
import { problems } from "../errors";
import { allows, useOrganization, useRefetchOnEvents } from "../organization";
import { Alerts, Button, Card, Empty, Field, Loading, Modal, Secret, Select, Table, when } from "../ui";

const MembersQuery = graphql(`
  query TeamMembers($organization: String!) {
    viewer {
      user {
        id
      }
    }
    organization(slug: $organization) {
      id
      members {
        user {
          id
          name
          email
        }
        role
        joinedAt
      }
    }
  }
`);

const InvitationsQuery = graphql(`
  query TeamInvitations($organization: String!) {
    organization(slug: $organization) {
      id
      invitations {
        id
        email
        role
        expiresAt
        acceptedBy
      }
    }
  }
`);

const TokensQuery = graphql(`
  query TeamApiTokens($organization: String!) {
    organization(slug: $organization) {
      id
      apiTokens {
        id
        name
        role
        createdAt
        expiresAt
        revokedAt
      }
    }
  }
`);

const ChangeRole = graphql(`
  mutation ChangeMemberRole($organization: String!, $userId: String!, $role: Role!) {
    changeMemberRole(organization: $organization, userId: $userId, role: $role) {
      id
    }
  }
`);

const RemoveMember = graphql(`
  mutation RemoveMember($organization: String!, $userId: String!) {
    removeMember(organization: $organization, userId: $userId)
  }
`);

const Invite = graphql(`
  mutation InviteMember($organization: String!, $email: String!, $role: Role!) {
    inviteMember(organization: $organization, email: $email, role: $role) {
      id
      email
      acceptToken
      role
    }
  }
`);

const CreateToken = graphql(`
  mutation CreateApiToken($organization: String!, $name: String!, $role: Role!, $expiresInDays: Int) {
    createApiToken(organization: $organization, name: $name, role: $role, expiresInDays: $expiresInDays) {
      token {
        id
        name
      }
      secret
    }
  }
`);

const RevokeToken = graphql(`
  mutation RevokeApiToken($organization: String!, $tokenId: String!) {
    revokeApiToken(organization: $organization, tokenId: $tokenId) {
      id
      revokedAt
    }
  }
`);

const ROLES: Role[] = ["OWNER", "ADMIN", "DEVELOPER", "VIEWER"];

/** The roles `role` may grant (organization.rs: only an owner grants or takes the owner
 * role; a token never outranks its issuer). */
function grantable(role: Role): Role[] {
  return ROLES.filter((r) => allows(role, r) && (r !== "OWNER" || role === "OWNER"));
}

export default function Team() {
  // Invitations and tokens are listed to admins only (the API refuses others).
  const admin = allows(useOrganization().role, "ADMIN");
  return (
    <>
      <h1 className="text-xl font-semibold">Team</h1>
      <Members />
      {admin && <Invitations />}
      {admin && <ApiTokens />}
    </>
  );
}

function Members() {
  const organization = useOrganization();
  const admin = allows(organization.role, "ADMIN");
  const [result, refetch] = useQuery({ query: MembersQuery, variables: { organization: organization.slug } });
  useRefetchOnEvents(refetch);
  const [changed, change] = useMutation(ChangeRole);
  const [removed, remove] = useMutation(RemoveMember);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  // Roles picked but not saved yet, by user id: a role changes only on Save (a select
  // changes on each arrow key).
  const [picked, setPicked] = useState<Record<string, Role>>({});
  const members = result.data?.organization.members ?? [];
  const me = result.data?.viewer.user?.id;
  const owner = organization.role === "OWNER";
  const mayManage = (role: Role) => admin && (role !== "OWNER" || owner);

  async function saveRole(userId: string) {
    const role = picked[userId];
    if (!role) return;
    const answer = await change({ organization: organization.slug, userId, role });
    if (!answer.error) setPicked(({ [userId]: _, ...rest }) => rest);
  }

  async function confirmRemove() {
    if (!removing) return;
    const answer = await remove({ organization: organization.slug, userId: removing.id });
    if (!answer.error) setRemoving(null);
    refetch({ requestPolicy: "network-only" });
  }

  return (
    <Card title="Members">
      {result.fetching && !result.data ? (
        <Loading what="Loading members" />
      ) : result.error ? (
        <Alerts messages={problems(result.error).general} />
      ) : members.length === 0 ? (
        <Empty>No members.</Empty>
      ) : (
        <div className="flex flex-col gap-3">
          <Alerts messages={problems(changed.error).general} />
          <Table head={["Member", "Role", "Joined", ""]}>
            {members.map((m) => (
              <tr key={m.user.id} data-member={m.user.email}>
                <td className="px-2 py-2">
                  {m.user.name}
                  <span className="block text-xs text-zinc-500">{m.user.email}</span>
                </td>
                <td className="px-2 py-2 text-xs">
                  {mayManage(m.role) ? (
                    // Labelled for screen readers only: the column says "Role", and a visible
                    // "Role" per row would also clash with the invitation form's "Role".
                    <span className="flex gap-1">
                      <select
                        aria-label={`Role of ${m.user.email}`}
                        className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
                        value={picked[m.user.id] ?? m.role}
                        onChange={(e) => setPicked((p) => ({ ...p, [m.user.id]: e.target.value as Role }))}
                      >
                        {grantable(organization.role).map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                      {picked[m.user.id] && picked[m.user.id] !== m.role && (
                        <Button variant="secondary" disabled={changed.fetching} onClick={() => saveRole(m.user.id)} aria-label={`Save the role of ${m.user.email}`}>
                          Save
                        </Button>
                      )}
                    </span>
                  ) : (
                    m.role.toLowerCase()
                  )}
                </td>
                <td className="px-2 py-2 text-xs">{when(m.joinedAt)}</td>
                <td className="px-2 py-2 text-right">
                  {m.user.id === me && !mayManage(m.role) && (
                    // Any member may leave (the server refuses the last owner).
                    <Button variant="secondary" onClick={() => setRemoving({ id: m.user.id, name: "yourself" })}>
                      Leave organization
                    </Button>
                  )}
                  {mayManage(m.role) && (
                    <Button variant="secondary" aria-label={`Remove ${m.user.email}`} onClick={() => setRemoving({ id: m.user.id, name: m.user.email })}>
                      Remove
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </div>
      )}
      <Modal open={removing !== null} onOpenChange={(open) => !open && setRemoving(null)} title={`Remove ${removing?.name ?? "member"}?`}>
        <div className="flex flex-col gap-3 text-sm">
          <p>They lose access to the organization at once; API tokens they created stop working.</p>
          <Alerts messages={problems(removed.error).general} />
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button variant="danger" disabled={removed.fetching} onClick={confirmRemove}>
              Remove member
            </Button>
          </div>
        </div>
      </Modal>
    </Card>
  );
}

function Invitations() {
  const organization = useOrganization();
  const [result, refetch] = useQuery({ query: InvitationsQuery, variables: { organization: organization.slug } });
  useRefetchOnEvents(refetch);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("DEVELOPER");
  const [invited, invite] = useMutation(Invite);
  const found = problems(invited.error);
  const answer = invited.data?.inviteMember;
  const invitations = result.data?.organization.invitations ?? [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sent = await invite({ organization: organization.slug, email: email.trim(), role });
    if (!sent.error) {
      setEmail("");
      refetch({ requestPolicy: "network-only" });
    }
  }

  return (
    <Card title="Invitations">
      <div className="flex flex-col gap-3">
        {result.fetching && !result.data ? (
          <Loading what="Loading invitations" />
        ) : result.error ? (
          <Alerts messages={problems(result.error).general} />
        ) : invitations.length === 0 ? (
          <Empty>No invitations.</Empty>
        ) : (
          <Table head={["Email", "Role", "Expires", "Accepted by"]}>
            {invitations.map((i) => (
              <tr key={i.id} data-invitation={i.email}>
                <td className="px-2 py-2">{i.email}</td>
                <td className="px-2 py-2 text-xs">{i.role.toLowerCase()}</td>
                <td className="px-2 py-2 text-xs">{when(i.expiresAt)}</td>
                <td className="px-2 py-2 text-xs">{i.acceptedBy ?? <span className="text-zinc-500">not yet</span>}</td>
              </tr>
            ))}
          </Table>
        )}
        {allows(organization.role, "ADMIN") && (
          <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
            <Field label="Email" name="email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={found.fields.email} />
            <Select label="Role" name="role" options={grantable(organization.role)} value={role} onChange={(e) => setRole(e.target.value as Role)} />
            <Button type="submit" disabled={invited.fetching}>
              Invite
            </Button>
          </form>
        )}
        <Alerts messages={found.general} />
        {answer?.acceptToken && (
          <div className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
            <p>
              Invited {answer.email}. Send them this link: it lets whoever holds it join as {answer.role.toLowerCase()}, and it is shown only once (with a mail server configured, it was also mailed to them).
            </p>
            <Secret testId="invitation-link">{`${location.origin}/invitations/${answer.id}?token=${encodeURIComponent(answer.acceptToken)}`}</Secret>
          </div>
        )}
      </div>
    </Card>
  );
}

function ApiTokens() {
  const organization = useOrganization();
  const admin = allows(organization.role, "ADMIN");
  const [result, refetch] = useQuery({ query: TokensQuery, variables: { organization: organization.slug } });
  useRefetchOnEvents(refetch);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("VIEWER");
  const [days, setDays] = useState("");
  const [created, create] = useMutation(CreateToken);
  const [revoked, revoke] = useMutation(RevokeToken);
  const found = problems(created.error);
  const tokens = result.data?.organization.apiTokens ?? [];
  const now = Date.now();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await create({ organization: organization.slug, name: name.trim(), role, expiresInDays: days ? Number(days) : null });
    if (!answer.error) {
      setName("");
      setDays("");
      refetch({ requestPolicy: "network-only" });
    }
  }

  async function revokeToken(tokenId: string) {
    await revoke({ organization: organization.slug, tokenId });
    refetch({ requestPolicy: "network-only" });
  }

  return (
    <Card title="API tokens">
      <div className="flex flex-col gap-3">
        {result.fetching && !result.data ? (
          <Loading what="Loading API tokens" />
        ) : result.error ? (
          <Alerts messages={problems(result.error).general} />
        ) : tokens.length === 0 ? (
          <Empty>No API tokens.</Empty>
        ) : (
          <Table head={["Name", "Role", "Created", "Expires", "State", ""]}>
            {tokens.map((t) => {
              const expired = t.expiresAt !== null && t.expiresAt !== undefined && Date.parse(t.expiresAt) <= now;
              const live = !t.revokedAt && !expired;
              return (
                <tr key={t.id} data-token={t.name}>
                  <td className="px-2 py-2">{t.name}</td>
                  <td className="px-2 py-2 text-xs">{t.role.toLowerCase()}</td>
                  <td className="px-2 py-2 text-xs">{when(t.createdAt)}</td>
                  <td className="px-2 py-2 text-xs">{t.expiresAt ? when(t.expiresAt) : "never"}</td>
                  <td className="px-2 py-2 text-xs">{t.revokedAt ? `revoked ${when(t.revokedAt)}` : expired ? "expired" : "active"}</td>
                  <td className="px-2 py-2 text-right">
                    {admin && live && (
                      <Button variant="secondary" aria-label={`Revoke ${t.name}`} disabled={revoked.fetching} onClick={() => revokeToken(t.id)}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
        <Alerts messages={problems(revoked.error).general} />
        {admin && (
          <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end">
            <Field label="Token name" name="tokenName" required autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={found.fields.name} />
            <Select label="Token role" id="token-role" name="tokenRole" options={grantable(organization.role)} value={role} onChange={(e) => setRole(e.target.value as Role)} />
            <Field label="Expires in days" name="expiresInDays" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} error={found.fields.expiresInDays ?? found.fields.expiresAt} hint="optional" />
            <Button type="submit" disabled={created.fetching}>
              Create token
            </Button>
          </form>
        )}
        <Alerts messages={found.general} />
        {created.data && (
          <div className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
            <p>
              Token “{created.data.createApiToken.token.name}” created. Copy it now: it is not shown again.
            </p>
            <Secret testId="token-secret">{created.data.createApiToken.secret}</Secret>
          </div>
        )}
      </div>
    </Card>
  );
}
