// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a
// real `clouddeck up`, as a team uses it: register, create an organization and a project,
// deploy with the CLI and watch it turn ready without a reload, read the build log as it is
// written, roll back, set an env var whose value never comes back, add a domain and read
// the TXT record to create, open an invoice and follow a line to its event, and sign in as a
// viewer who finds no deploy or rollback button (and whom the server refuses anyway).
//
// Run by cli/tests/dashboard.rs, which starts the server and passes:
//   CLOUDDECK_URL (the API, e.g. http://127.0.0.1:4000), CLOUDDECK_BIN (the CLI),
//   CLOUDDECK_E2E_DIR (a scratch folder), CLOUDDECK_SCREENSHOTS (where pages are kept),
//   CLOUDDECK_TEST_CHROMIUM (the browser).
// Exits non-zero, naming the step, on the first thing that is not as it should be.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const base = process.env.CLOUDDECK_URL;
const cli = process.env.CLOUDDECK_BIN;
const work = process.env.CLOUDDECK_E2E_DIR;
const shots = process.env.CLOUDDECK_SCREENSHOTS;
const browserPath = process.env.CLOUDDECK_TEST_CHROMIUM || "/usr/bin/chromium";
for (const [name, value] of Object.entries({ base, cli, work, shots })) {
  if (!value) throw new Error(`missing ${name}: run this through cli/tests/dashboard.rs`);
}
mkdirSync(shots, { recursive: true });

/** The first load's JavaScript, compressed, must stay under this (the budget). */
const FIRST_LOAD_BUDGET = 250 * 1024;
const SECRET_VALUE = "s3cr3t-value-never-shown-9137";
/** A build's output line that would run script if a page rendered it as HTML. */
const HOSTILE_LINE = "<img src=x onerror=window.__injected=1>";

let current = "start";
function step(name) {
  current = name;
  console.log(`step: ${name}`);
}
function check(condition, message) {
  if (!condition) throw new Error(`${current}: ${message}`);
}
async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** `clouddeck deploy` of `site`, as a child process; resolves with its exit and output. */
function deploy(site, token, extra = []) {
  const args = ["deploy", site, "--url", base, "--token", token, "--org", "acme", "--project", "site", ...extra];
  const child = spawn(cli, args, { env: { ...process.env, HOME: join(work, "home") } });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

/** A site whose build writes one line, waits, then another: its log is seen mid-build. */
function site(name, text) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.html"), `<h1>${text}</h1>`);
  writeFileSync(
    join(dir, "clouddeck.toml"),
    // (its output also tries to inject HTML into the page that shows the log)
    `[build]\ninstall = ""\ncommand = "echo first-line-of-${name}; echo '${HOSTILE_LINE}'; sleep 4; mkdir -p out; cp index.html out/; echo last-line-of-${name}"\noutput = "out"\n`,
  );
  return dir;
}

async function graphql(page, token, query, variables = {}) {
  return page.evaluate(
    async ({ query, variables, token }) => {
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    { query, variables, token },
  );
}

const browser = await chromium.launch({
  executablePath: browserPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const problems = [];
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

  step("the first load stays within its JavaScript budget");
  const scripts = [];
  page.on("requestfinished", (request) => {
    if (request.resourceType() === "script") scripts.push(request.sizes().then((s) => ({ url: request.url(), bytes: s.responseBodySize })));
  });
  await page.goto("/login", { waitUntil: "networkidle" });
  const loaded = await Promise.all(scripts);
  const firstLoad = loaded.reduce((sum, s) => sum + s.bytes, 0);
  console.log(`first load: ${loaded.length} scripts, ${firstLoad} bytes compressed`);
  check(loaded.length > 0 && firstLoad > 10_000, `no scripts measured: ${JSON.stringify(loaded)}`);
  check(firstLoad < FIRST_LOAD_BUDGET, `first load is ${firstLoad} bytes of JavaScript`);
  await shot(page, "01-sign-in");

  step("register");
  await page.getByRole("link", { name: "Register" }).click();
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Register" }).click();
  // the API's error for the password shows beside its field
  await page.locator("#field-password-error").waitFor();
  await shot(page, "02-register-error");
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Register" }).click();

  step("create an organization");
  await page.getByRole("heading", { name: "Create an organization" }).waitFor();
  await page.getByLabel("Name").fill("Acme");
  await page.getByLabel("Slug").fill("acme");
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.waitForURL("**/acme");
  await page.getByText("No projects yet.").waitFor();
  await shot(page, "03-projects-empty");

  step("create a project; the dialog shows the CLI command");
  await page.getByRole("button", { name: "New project" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Site");
  await dialog.getByLabel("Slug").fill("site");
  await dialog.getByRole("button", { name: "Create project" }).click();
  await dialog.getByText("clouddeck deploy ./dist --org acme --project site").waitFor();
  await shot(page, "04-new-project");
  await dialog.getByRole("link", { name: "Open the project" }).click();
  await page.waitForURL("**/acme/projects/site");
  await page.getByText("No deployments yet.").waitFor();
  const owner = await page.evaluate(() => localStorage.getItem("clouddeck.token"));
  check(owner?.startsWith("cds_"), "no session token kept");

  step("deploy with the CLI: the deployment appears and turns ready without a reload");
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const first = deploy(site("one", "one"), owner, ["--prod"]);
  const row = page.locator("tr[data-deployment]").first();
  await row.waitFor({ timeout: 60_000 });
  const firstId = await row.getAttribute("data-deployment");
  const seen = [];
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    const status = await row.locator("[data-status]").getAttribute("data-status");
    if (seen.at(-1) !== status) seen.push(status);
    if (status === "ready" || status === "failed") break;
    await page.waitForTimeout(100);
  }
  const firstDeploy = await first;
  console.log(`statuses seen: ${seen.join(" → ")}`);
  check(seen.at(-1) === "ready", `the deployment ended ${seen.at(-1)}; CLI said: ${firstDeploy.output}`);
  check(seen.length >= 2, `only ${seen.join(",")} was seen: the status did not move live`);
  check(firstDeploy.code === 0, `the CLI failed: ${firstDeploy.output}`);
  await page.locator(`tr[data-deployment="${firstId}"] [data-testid="production-marker"]`).waitFor();
  check(await page.evaluate(() => window.__sameDocument === true), "the page was reloaded");
  await shot(page, "05-project-ready");

  step("a second deploy: its build log streams as it is written");
  const second = deploy(site("two", "two"), owner, ["--prod"]);
  const newest = page.locator("tr[data-deployment]").first();
  await page.waitForFunction((id) => document.querySelector("tr[data-deployment]")?.getAttribute("data-deployment") !== id, firstId, { timeout: 60_000 });
  const secondId = await newest.getAttribute("data-deployment");
  await newest.getByRole("link", { name: secondId.slice(0, 13) }).click();
  const log = page.getByTestId("build-log");
  await log.getByText("first-line-of-two", { exact: true }).waitFor({ timeout: 120_000 });
  const midway = await log.innerText();
  // (the command's own echo line names both; the build's output lines are alone on theirs)
  check(!midway.split("\n").some((l) => l.trim() === "last-line-of-two"), "the first line only showed once the build had ended");
  // a tenant's output is text: shown as written, never run
  await log.getByText(HOSTILE_LINE, { exact: true }).waitFor();
  check((await log.locator("img").count()) === 0, "the build's output became an element");
  check(await page.evaluate(() => window.__injected === undefined), "the build's output ran in the page");
  await shot(page, "06-build-log-streaming");
  await log.getByText("last-line-of-two", { exact: true }).waitFor({ timeout: 120_000 });
  await page.locator('h1 [data-status="ready"]').waitFor({ timeout: 120_000 });
  check((await second).code === 0, "the second deploy failed");
  await shot(page, "07-deployment-ready");

  step("roll back to the first deployment");
  await page.getByRole("link", { name: "← site" }).click();
  await page.locator(`tr[data-deployment="${secondId}"] [data-testid="production-marker"]`).waitFor();
  await page.locator(`tr[data-deployment="${firstId}"]`).getByRole("button", { name: "Roll back to this" }).click();
  await page.locator(`tr[data-deployment="${firstId}"] [data-testid="production-marker"]`).waitFor();
  check((await page.locator('[data-testid="production-marker"]').count()) === 1, "two deployments marked production");
  const production = await graphql(page, owner, `{ project(organization: "acme", slug: "site") { productionDeployment { id } } }`);
  check(production.data.project.productionDeployment.id === firstId, `production is ${JSON.stringify(production)}`);
  await shot(page, "08-rolled-back");

  step("set an env var: its value never comes back");
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Key").fill("API_SECRET");
  await page.getByLabel("Value").fill(SECRET_VALUE);
  await page.getByLabel("Target").selectOption("PRODUCTION");
  await page.getByRole("button", { name: "Save variable" }).click();
  await page.getByRole("cell", { name: "API_SECRET", exact: true }).waitFor();
  check((await page.getByLabel("Value").inputValue()) === "", "the value stayed in its field");
  check(!(await page.content()).includes(SECRET_VALUE), "the value is on the page");
  await page.reload();
  await page.getByRole("cell", { name: "API_SECRET", exact: true }).waitFor();
  check(!(await page.content()).includes(SECRET_VALUE), "the value is on the page after a reload");
  const asked = await graphql(page, owner, `{ project(organization: "acme", slug: "site") { envVars { key value } } }`);
  check(!JSON.stringify(asked).includes(SECRET_VALUE), `the API answered the value: ${JSON.stringify(asked)}`);
  await shot(page, "09-settings");

  step("add a domain: the TXT record to create is shown");
  await page.getByRole("link", { name: "Domains" }).click();
  await page.getByLabel("Hostname").fill("not a hostname");
  await page.getByRole("button", { name: "Add domain" }).click();
  await page.locator("#field-hostname-error").waitFor();
  await page.getByLabel("Hostname").fill("shop.example.com");
  await page.getByRole("button", { name: "Add domain" }).click();
  const txt = page.getByTestId("dns-record").filter({ hasText: "_clouddeck-challenge.shop.example.com" });
  await txt.waitFor();
  check((await txt.innerText()).includes("TXT"), "the challenge record is not a TXT record");
  check((await txt.innerText()).includes("clouddeck-verify="), "the TXT record has no value");
  await shot(page, "10-domains");

  step("change the plan; open the invoice and follow a line to its event");
  await page.getByRole("link", { name: "Usage & billing" }).click();
  await page.locator(".recharts-surface").first().waitFor();
  check((await page.locator(".recharts-surface").count()) >= 3, "fewer than three charts");
  await page.getByLabel("Change plan to").selectOption("PRO");
  await page.getByRole("button", { name: "Change plan" }).click();
  await page.getByRole("heading", { name: /Plan: pro/i }).waitFor();
  await shot(page, "11-usage");
  await page.getByRole("link", { name: /^Open invoice/ }).first().click();
  await page.getByTestId("invoice-line").first().waitFor();
  await shot(page, "12-invoice");
  const line = page.getByTestId("invoice-line").filter({ has: page.getByTestId("source-event") }).first();
  await line.locator("summary").click();
  const source = line.getByTestId("source-event").first();
  const position = (await source.innerText()).replace(/\D/g, "");
  await source.click();
  await page.waitForURL(`**/acme/audit?position=${position}`);
  await page.getByText(`${position}`, { exact: true }).first().waitFor();
  await shot(page, "13-audit-event");

  step("create a viewer's API token: its secret is shown once");
  await page.getByRole("link", { name: "Team" }).click();
  await page.getByLabel("Token name").fill("viewer-bot");
  await page.getByLabel("Token role").selectOption("VIEWER");
  await page.getByRole("button", { name: "Create token" }).click();
  const viewer = (await page.getByTestId("token-secret").innerText()).trim();
  check(viewer.startsWith("cdt_"), `no token secret shown: ${viewer}`);
  await shot(page, "14-team");

  step("invite a developer: they join through the link, and see only what a developer may do");
  await page.getByLabel("Email").fill("grace@example.com");
  await page.getByLabel("Role", { exact: true }).selectOption("DEVELOPER");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = (await page.getByTestId("invitation-link").innerText()).trim();
  check(link.startsWith(`${base}/invitations/`), `no invitation link: ${link}`);
  const other = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
  const grace = await other.newPage();
  grace.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await grace.goto(link);
  await grace.getByRole("link", { name: "register" }).click();
  await grace.getByLabel("Name").fill("Grace Hopper");
  await grace.getByLabel("Email").fill("grace@example.com");
  await grace.getByLabel("Password").fill("another long password");
  await grace.getByRole("button", { name: "Register" }).click();
  // registered, the link brings her back to the invitation
  await grace.getByRole("button", { name: "Accept the invitation" }).click();
  await grace.waitForURL("**/acme");
  await grace.goto("/acme/projects/site/settings");
  await grace.getByRole("cell", { name: "API_SECRET", exact: true }).waitFor();
  // a developer sets preview variables only, and cannot remove the production one
  const targets = await grace.getByLabel("Target").locator("option").allInnerTexts();
  check(targets.join(",") === "PREVIEW", `a developer is offered ${targets}`);
  check((await grace.getByRole("button", { name: /^Remove API_SECRET/ }).count()) === 0, "a developer may remove a production variable");
  await grace.goto("/acme/team");
  await grace.getByRole("heading", { name: "Members" }).waitFor();
  check((await grace.getByRole("heading", { name: "API tokens" }).count()) === 0, "a developer sees the API tokens");
  await shot(grace, "15-team-as-developer");
  await other.close();

  step("sign out: the session ends on the server");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const after = await graphql(page, owner, `{ viewer { actor } }`);
  check(after.errors?.[0]?.extensions?.code === "UNAUTHENTICATED", `the old session still works: ${JSON.stringify(after)}`);

  step("a viewer signs in with the token and finds no deploy or rollback button");
  // with the keyboard only: Tab to the tabs, an arrow to "API token", Tab to its field, Enter
  await page.locator("body").press("Tab");
  check((await page.evaluate(() => document.activeElement?.getAttribute("role"))) === "tab", "Tab does not reach the sign-in tabs");
  await page.keyboard.press("ArrowRight");
  let reached = false;
  for (let i = 0; i < 4 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.getAttribute("name") === "token");
  }
  check(reached, "the keyboard cannot reach the API token field");
  await page.keyboard.type(viewer);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/acme");
  await page.getByRole("link", { name: "Site" }).first().waitFor();
  check((await page.getByRole("button", { name: "New project" }).count()) === 0, "a viewer sees New project");
  await page.goto("/acme/projects/site");
  await page.locator("tr[data-deployment]").first().waitFor();
  await page.getByTestId("who").getByText("viewer").waitFor();
  for (const name of ["Promote", "Roll back to this"]) {
    check((await page.getByRole("button", { name }).count()) === 0, `a viewer sees ${name}`);
  }
  await shot(page, "16-project-as-viewer");
  const refused = await graphql(page, viewer, `mutation($id: String!) { rollbackDeployment(id: $id) { id } }`, { id: secondId });
  check(refused.errors?.[0]?.extensions?.code === "FORBIDDEN", `the server let a viewer roll back: ${JSON.stringify(refused)}`);
  await page.goto("/acme/projects/site/settings");
  await page.getByRole("cell", { name: "API_SECRET", exact: true }).waitFor();
  check((await page.getByRole("button", { name: "Save variable" }).count()) === 0, "a viewer sees Save variable");

  step("GraphiQL is served from the binary");
  await page.goto("/graphql");
  await page.locator(".graphiql-container").waitFor();
  await page.locator(".graphiql-query-editor .CodeMirror").waitFor();
  await page.locator(".graphiql-execute-button").click();
  // its default query, run with the dashboard's token: the organization's slug comes back
  await page.locator(".graphiql-response").getByText('"acme"').first().waitFor();
  await shot(page, "17-graphiql");

  step("a phone-sized screen, in dark mode");
  const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, colorScheme: "dark", baseURL: base });
  await phone.addInitScript((token) => localStorage.setItem("clouddeck.token", token), viewer);
  const small = await phone.newPage();
  small.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await small.goto("/acme/projects/site");
  await small.locator("tr[data-deployment]").first().waitFor();
  const width = await small.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375, `the page is ${width} px wide on a 375 px screen`);
  await shot(small, "18-phone-dark");
  await phone.close();

  check(problems.length === 0, `the browser reported: ${problems.join(" | ")}`);
  console.log("dashboard: every step passed");
} catch (error) {
  console.error(`FAILED at "${current}": ${error.stack ?? error}`);
  if (page) {
    await page.screenshot({ path: join(shots, "failure.png"), fullPage: true }).catch(() => {});
    const text = await page.evaluate(() => document.body.innerText).catch(() => "");
    console.error(`the page at ${page.url()} read:\n${text.slice(0, 3000)}`);
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
