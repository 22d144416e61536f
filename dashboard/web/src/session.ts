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
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
