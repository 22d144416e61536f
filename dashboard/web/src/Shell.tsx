// The frame of an organization's pages: the organization switcher, the navigation, the
// account menu (sign out), and the organization's live events for the page inside.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { useEffect } from "react";
import { NavLink, Outlet, useNavigate, useParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "./gql";
import { OrganizationContext, useLiveEvents } from "./organization";
import { rememberOrganization } from "./session";
import { useSignOut } from "./signout";
import { Alerts, Loading } from "./ui";

const ShellQuery = graphql(`
  query Shell($organization: String!) {
    viewer {
      actor
      user {
        name
        email
      }
    }
    organizations {
      slug
      name
    }
    organization(slug: $organization) {
      id
      slug
      name
      viewerRole
    }
  }
`);

export function Shell() {
  const { org = "" } = useParams();
  const [result] = useQuery({ query: ShellQuery, variables: { organization: org } });
  const live = useLiveEvents(org);
  const signOutHere = useSignOut();
  const navigate = useNavigate();
  useEffect(() => {
    if (result.data?.organization) rememberOrganization(org);
  }, [result.data, org]);

  async function signOut() {
    await signOutHere();
    navigate("/login");
  }

  if (result.fetching && !result.data) return <Loading />;
  const organization = result.data?.organization;
  if (!organization) {
    return (
      <main className="p-4">
        <Alerts messages={[result.error?.graphQLErrors[0]?.message ?? `No organization "${org}".`]} />
        <NavLink className="underline" to="/">
          Back to your organizations
        </NavLink>
      </main>
    );
  }
  const viewer = result.data?.viewer;
  const links: [string, string][] = [
    ["", "Projects"],
    ["usage", "Usage & billing"],
    ["team", "Team"],
    ["audit", "Audit log"],
  ];
  return (
    <OrganizationContext.Provider value={{ ...organization, role: organization.viewerRole, ...live }}>
      <div className="min-h-screen bg-zinc-50 dark:bg-zinc-950">
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
            <NavLink to={`/${org}`} className="font-semibold">
              <span aria-hidden>▲ </span>CloudDeck
            </NavLink>
            <Menu.Root>
              <Menu.Trigger className="rounded-md border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-700" aria-label="Switch organization">
                {organization.name} <span aria-hidden>▾</span>
              </Menu.Trigger>
              <Menu.Portal>
                <Menu.Content className="z-10 min-w-48 rounded-md border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900" sideOffset={4}>
                  {result.data?.organizations.map((o) => (
                    <Menu.Item key={o.slug} className="cursor-pointer rounded px-2 py-1 text-sm outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800" onSelect={() => navigate(`/${o.slug}`)}>
                      {o.name} <span className="text-zinc-500">({o.slug})</span>
                    </Menu.Item>
                  ))}
                  <Menu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-700" />
                  <Menu.Item className="cursor-pointer rounded px-2 py-1 text-sm outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800" onSelect={() => navigate("/?new")}>
                    New organization…
                  </Menu.Item>
                </Menu.Content>
              </Menu.Portal>
            </Menu.Root>
            <nav aria-label="Organization" className="flex flex-wrap gap-3 text-sm">
              {links.map(([to, label]) => (
                <NavLink key={to} to={`/${org}${to ? `/${to}` : ""}`} end={to === ""} className={({ isActive }) => (isActive ? "font-semibold underline" : "text-zinc-600 dark:text-zinc-400")}>
                  {label}
                </NavLink>
              ))}
              <a href="/graphql" className="text-zinc-600 dark:text-zinc-400">
                GraphiQL
              </a>
            </nav>
            <div className="ml-auto flex items-center gap-2 text-sm">
              <span className="text-zinc-500" data-testid="who">
                {viewer?.user?.email ?? viewer?.actor} · {organization.viewerRole.toLowerCase()}
              </span>
              <button className="underline" onClick={signOut}>
                Sign out
              </button>
            </div>
          </div>
        </header>
        <main className="mx-auto flex max-w-6xl flex-col gap-4 p-4">
          {live.paused && (
            <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
              Live updates are paused ({live.paused}); reload the page to resume.
            </p>
          )}
          <Outlet />
        </main>
      </div>
    </OrganizationContext.Provider>
  );
}
