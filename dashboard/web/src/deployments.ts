// What the pages say about deployments, in one place.

/** The production alias's URL: a deployment's own URL without its id (`<id>-<project>…`). */
export function aliasUrl(deployment: { id: string; url?: string | null } | null | undefined): string | null {
  if (!deployment?.url) return null;
  return deployment.url.replace(`${deployment.id}-`, "");
}

export function duration(ms: number | null | undefined): string {
  if (ms == null) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Where a deployment came from: the branch or PR of a git push, or an upload. */
export function source(d: { sourceKind: string; sourceRef: string }): string {
  if (d.sourceKind === "git") return d.sourceRef.replace(/^refs\/heads\//, "").replace(/^refs\/pull\/(\d+)\/.*/, "PR #$1");
  return d.sourceKind;
}

export const FINISHED = ["ready", "failed", "canceled"];
