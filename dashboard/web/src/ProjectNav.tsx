// The tabs of a project's pages.
import { NavLink } from "react-router";

export function ProjectNav({ org, project, name }: { org: string; project: string; name?: string }) {
  const base = `/${org}/projects/${project}`;
  const tabs: [string, string][] = [
    ["", "Deployments"],
    ["/domains", "Domains"],
    ["/settings", "Settings"],
  ];
  return (
    <div className="flex flex-col gap-2">
      <h1 className="text-xl font-semibold">{name ?? project}</h1>
      <nav aria-label="Project" className="flex gap-4 border-b border-zinc-200 text-sm dark:border-zinc-800">
        {tabs.map(([to, label]) => (
          <NavLink key={to} to={`${base}${to}`} end className={({ isActive }) => `-mb-px border-b-2 px-1 py-1 ${isActive ? "border-zinc-900 font-semibold dark:border-zinc-100" : "border-transparent text-zinc-600 dark:text-zinc-400"}`}>
            {label}
          </NavLink>
        ))}
      </nav>
    </div>
  );
}
