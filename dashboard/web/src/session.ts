// The signed-in session: its bearer token (a session `cds_…` or an API token `cdt_…`) in
// localStorage, shared with GraphiQL (explorer/), and the last organization opened.

const TOKEN = "clouddeck.token";
const ORGANIZATION = "clouddeck.organization";

export function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN);
  } catch {
    return null;
  }
}

export function saveToken(token: string) {
  localStorage.setItem(TOKEN, token);
  notify();
}

export function forgetSession() {
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(ORGANIZATION);
  // GraphiQL keeps its tabs, headers and history here (they may hold the token, or a value
  // sent to setEnvVar): nothing of a session outlives it.
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith("graphiql:")) localStorage.removeItem(key);
  }
  notify();
}

export function lastOrganization(): string | null {
  return localStorage.getItem(ORGANIZATION);
}

export function rememberOrganization(slug: string) {
  localStorage.setItem(ORGANIZATION, slug);
}

/** Whether the token is an API token (it acts in one organization and cannot sign out). */
export function isApiToken(token: string | null): boolean {
  return token?.startsWith("cdt_") ?? false;
}

const listeners = new Set<() => void>();
function notify() {
  listeners.forEach((listener) => listener());
}
// Another tab signing in or out changes this one too: no tab keeps showing one user's data
// under another's session.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === TOKEN || event.key === null) notify();
  });
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
