import type { Server } from "node:http";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchChromium, seriousViolations } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSession } from "../../src/app/sessions.ts";
import { addUser, disableUser } from "../../src/app/users.ts";
import type { LogLine } from "../../src/http/accessLog.ts";
import { createApp } from "../../src/http/createApp.ts";
import { discoverProvider, type SingleSignOn } from "../../src/http/oidcSignIn.ts";
import { openPort } from "../../src/http/server.ts";
import { startDemoIdentityProvider, type DemoIdentityProvider } from "../../src/demo/identityProvider.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import { A, A1, portOf, publishedStore } from "../support/serviceFixture.ts";

/**
 * Signing in as schools do, end to end: a real OpenID Connect provider (panva's oidc-provider,
 * as the demo runs it) on loopback, the real app on port 0, Debian's Chromium. The app's clock
 * can be moved forward to expire a session; the provider keeps real time.
 */
let db: string;
let stores: Stores;
let server: Server;
let provider: DemoIdentityProvider;
let sso: SingleSignOn;
let browser: Browser;
let base: string;
let aheadMs = 0;
const logged: LogLine[] = [];
const people = {
  counselor: { subject: "idp-7731", name: "Rivera, Ana", email: "idp-7731@demo.example" },
  admin: { subject: "idp-2208", name: "Chen, Bo" },
  disabled: { subject: "idp-9001", name: "Gone, Pat" },
};
const ids = {} as Record<keyof typeof people, number>;

beforeAll(async () => {
  db = await publishedStore("ewis-sign-in-");
  stores = await openStores(db);
  const now = new Date();
  // The counselor is registered by email alone (matched because the provider verified it); the others by subject.
  ids.counselor = await addUser(stores.users, { email: people.counselor.email, grant: { name: people.counselor.name, role: "counselor", schools: [A1], districts: [], studentGrant: false } }, now);
  ids.admin = await addUser(stores.users, { subject: people.admin.subject, grant: { name: people.admin.name, role: "district_admin", schools: [], districts: [A], studentGrant: false } }, now);
  ids.disabled = await addUser(stores.users, { subject: people.disabled.subject, grant: { name: people.disabled.name, role: "counselor", schools: [A1], districts: [], studentGrant: false } }, now);
  await disableUser(stores.users, ids.disabled, now);

  server = await openPort(0);
  base = `http://127.0.0.1:${portOf(server)}`;
  provider = await startDemoIdentityProvider({ redirectUri: `${base}/auth/callback`, accounts: Object.values(people) });
  sso = await discoverProvider({ issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, publicUrl: new URL(`${base}/`), sessionHours: 8 });
  server.on("request", createApp({ stores, singleSignOn: sso, now: () => new Date(Date.now() + aheadMs), log: (line) => logged.push(line) }));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await provider?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stores?.close();
  if (db) await rm(dirname(db), { recursive: true, force: true });
});

interface Tab {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/** A fresh browser, signed in nowhere: neither to ewis nor to the provider. */
async function openTab(): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[134]/.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

/** From ewis's sign-in page to the provider's, where a person is picked. */
async function toProvider(page: Page): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole("link", { name: "Sign in with your district account" }).click();
  await page.waitForURL((url) => url.origin === provider.issuer.origin);
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies(base)).find((c) => c.name === "ewis_session");
const alertText = (page: Page) => page.locator("#message").textContent();
const meWith = (cookie: string, headers: Record<string, string> = {}) => fetch(`${base}/api/v1/me`, { headers: { cookie: `ewis_session=${cookie}`, ...headers } });

describe("signing in through the district's identity provider", () => {
  it("signs a counselor in to their own school's list, audits their reads as theirs, and signs out on the server", async () => {
    const { context, page, problems } = await openTab();
    const asked: string[] = [];
    page.on("request", (r) => asked.push(new URL(r.url()).pathname));
    await toProvider(page);
    await page.getByRole("button", { name: `Sign in as ${people.counselor.name}` }).click();
    await page.waitForURL(/\/list\.html/);
    await page.locator('#list[aria-busy="false"]').waitFor({ state: "attached" });
    // Signing in read no student: whether this browser was signed in already (it was not), then
    // back from the provider who the person is, before the list page asked for its page.
    const signingIn = asked.slice(0, asked.indexOf("/list.html")).filter((p) => p.startsWith("/api/"));
    expect(signingIn).toEqual(["/api/v1/sign-in", "/api/v1/me", "/api/v1/sign-in", "/api/v1/me"]);
    expect(new Set(await page.locator("#rows tr > :nth-child(4)").allTextContents())).toEqual(new Set([A1]));

    const cookie = (await sessionCookie(context))!;
    // Gone when the browser closes (expires -1); the server ends it after 8 hours whatever the browser keeps.
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false, expires: -1 });
    expect(await page.evaluate(() => document.cookie)).toBe(""); // no script can read it
    const [read] = await stores.audit.trail(1);
    expect(read).toMatchObject({ user_id: ids.counselor, token_id: null, token_name: people.counselor.name, role: "counselor", route: "GET /students" });
    expect(logged.filter((l) => l.type === "sign_in")).toContainEqual(expect.objectContaining({ outcome: "signed_in", user: ids.counselor }));

    // A name search is a POST: the page sends the session's CSRF token with it.
    await page.getByLabel("Name or local ID").fill("zz");
    await page.getByLabel("Name or local ID").press("Enter");
    await expect.poll(() => page.locator("#count").textContent()).toBe("No students match these filters.");

    await page.getByRole("link", { name: "Sign out" }).click();
    await page.waitForURL(/\/index\.html\?signed_out=1$/);
    await expect.poll(() => alertText(page)).toBe("You have signed out.");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await sessionCookie(context)).toBeUndefined();
    // Ended on the server: the cookie, wherever it was copied, opens nothing.
    const after = await meWith(cookie.value);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/not signed in/);
    await page.goto(`${base}/list.html`);
    await page.waitForURL(/\/index\.html\?next=list\.html$/);
    // Nothing of who they are reached the log: no subject, no email, no name.
    const logText = JSON.stringify(logged);
    for (const secret of [people.counselor.email, people.counselor.name, cookie.value]) expect(logText).not.toContain(secret);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("sends a person whose session expired back to sign in, and then to the page they were on", async () => {
    const { context, page, problems } = await openTab();
    await toProvider(page);
    await page.getByRole("button", { name: `Sign in as ${people.admin.name}` }).click();
    await page.waitForURL(/\/list\.html/); // a district admin reads students: the list first
    await page.goto(`${base}/rollup.html`);
    await page.locator('#cells[aria-busy="false"]').waitFor({ state: "attached" });
    aheadMs = 9 * 3_600_000;
    try {
      await page.reload();
      await page.waitForURL(/\/index\.html\?expired=1$/);
      await expect.poll(() => alertText(page)).toMatch(/no longer accepted/);
      expect((await meWith((await sessionCookie(context))!.value)).status).toBe(401);
      // Back on the rollups once signed in again (the provider still knows them: no prompt there).
      await page.goto(`${base}/rollup.html?district=${A}`);
      await page.waitForURL(/\/index\.html\?next=/);
      await page.getByRole("link", { name: "Sign in with your district account" }).click();
      await page.waitForURL(new RegExp(`/rollup\\.html\\?district=${A}$`));
    } finally {
      aheadMs = 0;
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it("refuses a person ewis does not know, and a disabled one, and says why", async () => {
    for (const [who, expected, outcome] of [
      ["stranger-42", /not registered with ewis/, "unknown_user"],
      [people.disabled.subject, /disabled/, "disabled"],
    ] as const) {
      const { context, page, problems } = await openTab();
      await toProvider(page);
      if (who === "stranger-42") {
        await page.getByLabel(/Someone else/).fill(who);
        await page.getByRole("button", { name: "Sign in", exact: true }).click();
      } else {
        await page.getByRole("button", { name: `Sign in as ${people.disabled.name}` }).click();
      }
      await page.waitForURL(new RegExp(`/index\\.html\\?signin_error=${outcome}$`));
      await expect.poll(() => alertText(page)).toMatch(expected);
      expect(await sessionCookie(context)).toBeUndefined();
      expect(logged.filter((l) => l.type === "sign_in").at(-1)).toMatchObject({ type: "sign_in", outcome, user: null });
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it("refuses a sign-in whose state or nonce was tampered with", async () => {
    // openid-client's own words: the state did not match the response's; the ID token's nonce did not match.
    const refusedAs = { state: "OAUTH_INVALID_RESPONSE", nonce: "OAUTH_JWT_CLAIM_COMPARISON_FAILED" };
    for (const field of ["state", "nonce"] as const) {
      const { context, page } = await openTab();
      await toProvider(page);
      // The sign-in under way, as ewis left it in the browser: change one value in it.
      const login = (await context.cookies(base)).find((c) => c.name === "ewis_login")!;
      const pending = JSON.parse(Buffer.from(login.value, "base64url").toString("utf8")) as Record<string, string>;
      pending[field] = `${pending[field].slice(0, -4)}AAAA`;
      await context.addCookies([{ ...login, value: Buffer.from(JSON.stringify(pending)).toString("base64url") }]);
      await page.getByRole("button", { name: `Sign in as ${people.admin.name}` }).click();
      await page.waitForURL(/\/index\.html\?signin_error=failed$/);
      await expect.poll(() => alertText(page)).toMatch(/did not complete/);
      expect(await sessionCookie(context)).toBeUndefined();
      expect(logged.filter((l) => l.type === "sign_in").at(-1)).toMatchObject({ type: "sign_in", outcome: "failed", user: null, reason: refusedAs[field] });
      await context.close();
    }
    // Coming back with no sign-in under way (a replayed or forged callback) is refused too.
    const forged = await fetch(`${base}/auth/callback?code=abc&state=def`, { redirect: "manual" });
    expect([forged.status, forged.headers.get("location")]).toEqual([303, "../index.html?signin_error=failed"]);
  });

  it("signs out on the server from a tab left open since an earlier sign-in, and a new sign-in ends the session it replaces", async () => {
    const { context, page, problems } = await openTab();
    await toProvider(page);
    await page.getByRole("button", { name: `Sign in as ${people.admin.name}` }).click();
    await page.waitForURL(/\/list\.html/);
    const first = (await sessionCookie(context))!.value;
    // Signed in again (another tab, the same browser): the first session ends, the tab keeps its old CSRF token.
    const other = await context.newPage();
    await other.goto(`${base}/auth/login`);
    await other.waitForURL(/\/list\.html/);
    const second = (await sessionCookie(context))!.value;
    expect(second).not.toBe(first);
    expect((await meWith(first)).status).toBe(401);
    await other.close();
    await page.getByRole("link", { name: "Sign out" }).click();
    await page.waitForURL(/\/index\.html\?signed_out=1$/);
    expect((await meWith(second)).status).toBe(401);
    expect(problems.filter((p) => !/403/.test(p))).toEqual([]);
    await context.close();
  });

  it("needs the session's CSRF token to sign out, and gives it only to a signed-in person", async () => {
    const started = await startSession(stores, { subject: people.admin.subject }, new Date());
    if (!started.ok) throw new Error("no session");
    const cookie = `ewis_session=${started.session}`;
    const me = (await (await meWith(started.session)).json()) as { signed_in_with: string; csrf_token: string; name: string };
    expect(me).toMatchObject({ signed_in_with: "session", name: people.admin.name });
    expect(me.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A POST of the API, made with the cookie: refused without the token, answered with it.
    const search = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/students/search`, { method: "POST", headers: { cookie, "content-type": "application/json", ...headers }, body: JSON.stringify({ name: "a" }) });
    expect((await search({})).status).toBe(403);
    expect(((await (await search({})).json()) as { error: { message: string } }).error.message).toMatch(/CSRF token in X-CSRF-Token/);
    expect((await search({ "x-csrf-token": me.csrf_token })).status).toBe(200);
    const logout = (headers: Record<string, string>) => fetch(`${base}/auth/logout`, { method: "POST", headers: { cookie, ...headers } });
    expect((await logout({})).status).toBe(403);
    expect((await logout({ "x-csrf-token": `${me.csrf_token.slice(0, -1)}A` })).status).toBe(403);
    expect((await meWith(started.session)).status).toBe(200); // still signed in
    expect((await logout({ "x-csrf-token": me.csrf_token })).status).toBe(204);
    expect((await meWith(started.session)).status).toBe(401);
  });

  it("makes the cookies Secure and __Host- behind HTTPS", async () => {
    const secure = await openPort(0);
    secure.on("request", createApp({ stores, singleSignOn: sso, secureCookies: true, log: () => {} }));
    try {
      const login = await fetch(`http://127.0.0.1:${portOf(secure)}/auth/login`, { redirect: "manual" });
      expect(login.status).toBe(303);
      expect(new URL(login.headers.get("location")!).origin).toBe(provider.issuer.origin);
      const set = login.headers.get("set-cookie")!;
      expect(set).toMatch(/^__Host-ewis_login=[A-Za-z0-9_-]+; Max-Age=600; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
      expect(login.headers.get("cache-control")).toBe("no-store");
    } finally {
      await new Promise((resolve) => secure.close(resolve));
    }
  });
  it("offers the district's sign-in on a page axe-core passes, and it works from the keyboard alone", async () => {
    const { context, page, problems } = await openTab();
    const serious = () => seriousViolations(page);
    await page.goto(`${base}/index.html?signin_error=unknown_user`);
    await page.locator("#district-sign-in:not([hidden])").waitFor();
    expect(await serious()).toEqual([]);
    await page.goto(`${base}/`);
    await page.locator("#district-sign-in:not([hidden])").waitFor();
    expect(await serious()).toEqual([]);
    let focused = "";
    for (let k = 0; k < 10 && focused !== "Sign in with your district account"; k++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
    }
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.origin === provider.issuer.origin);
    // On the provider's page too, by keyboard: to a person's button, and Enter.
    for (let k = 0; k < 10 && focused !== `Sign in as ${people.counselor.name}`; k++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
    }
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/list\.html/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
