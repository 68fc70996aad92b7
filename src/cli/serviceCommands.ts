import { issueToken, revokeToken } from "../app/tokens.ts";
import { DEFAULT_SESSION_HOURS, EwisError, MAX_SESSION_HOURS, roles, tokenState, type Role } from "../core/index.ts";
import { csvField } from "../io/csvCell.ts";
import { jsonLines } from "../http/accessLog.ts";
import { tokenMint } from "../http/auth.ts";
import { createApp } from "../http/createApp.ts";
import { scopeOf } from "./scopeOptions.ts";
import { InFlight } from "../http/inFlight.ts";
import { discoverProvider } from "../http/oidcSignIn.ts";
import { openPort } from "../http/server.ts";
import { demoGrants, ensureDemoCatalog, startDemoSignIn } from "./demoPeople.ts";
import { openStores, withStores } from "../store/openStores.ts";
import type { Stores } from "../store/stores.ts";
import type { TokenRecord } from "../store/tokenStore.ts";

/** Demo tokens are printed on every `serve --demo-tokens` and left in the store: they lapse within the week. */
const DEMO_TOKEN_DAYS = 7;
const existing = { mustExist: true };

export async function tokenCreateCommand(
  options: { db: string; role: string; name: string; scope: string[]; school: string[]; district: string[]; grantStudents?: boolean; expiresInDays?: number },
  log: (line: string) => void,
): Promise<void> {
  const { schools, districts } = scopeOf(options);
  const grant = { name: options.name, role: options.role as Role, schools, districts, studentGrant: options.grantStudents === true };
  log(await withStores(options.db, existing, ({ tokens }) => issueToken(tokens, tokenMint, grant, { expiresInDays: options.expiresInDays })));
}

const scopeText = (t: TokenRecord): string =>
  [...t.districts.map((d) => `district:${d}`), ...t.schools.map((s) => `school:${s}`), ...(t.role === "state_admin" ? ["state"] : []), ...(t.student_grant ? ["students"] : [])].join(" ");

/** Every token, oldest first, with its state now: never the token, never its hash. */
export async function tokenListCommand(options: { db: string }, log: (line: string) => void, now: Date = new Date()): Promise<void> {
  const tokens = await withStores(options.db, existing, (stores) => stores.tokens.listTokens());
  log("id,name,role,scope,created,expires,revoked,state");
  for (const t of tokens) {
    log([String(t.id), csvField(t.name), t.role, csvField(scopeText(t)), t.created_at, t.expires_at ?? "never", t.revoked_at ?? "", tokenState(t, now).state].join(","));
  }
}

/** Revokes one token by its id (from `ewis token list`); from then on it answers 401. */
export async function tokenRevokeCommand(options: { db: string; id: number }, log: (line: string) => void, now: Date = new Date()): Promise<void> {
  const revoked = await withStores(options.db, existing, ({ tokens }) => revokeToken(tokens, options.id, now));
  const { token } = revoked;
  if (!revoked.revokedNow) log(`token ${token.id} (${token.name}, ${token.role}) was already revoked on ${token.revoked_at}`);
  else log(`token ${token.id} (${token.name}, ${token.role}) revoked; the API refuses it from now on`);
}

export async function auditCommand(options: { db: string; limit: number; startNewTrail?: boolean }, log: (line: string) => void): Promise<void> {
  await withStores(options.db, existing, async (stores) => {
    if (options.startNewTrail) {
      await stores.startNewAuditTrail();
      log("a new, empty audit trail will be begun: the lost one's records are not in it");
    }
    // `by` says whether a person signed in (`user 4`) or a script's token (`token 2`) read: ids `ewis user list` and `ewis token list` give.
    log("at,by,name,role,route,term,students");
    for (const a of await stores.audit.trail(options.limit)) {
      const by = a.user_id !== null ? `user ${a.user_id}` : `token ${a.token_id}`;
      log([a.at, by, csvField(a.token_name), a.role, a.route, a.term_id ?? "", `${a.students.length}:${a.students.slice(0, 5).join(" ")}${a.students.length > 5 ? " …" : ""}`].join(","));
    }
  });
}

/** One demo token per role, scoped to the first district and school of the latest term. */
async function demoTokens(stores: Stores, log: (line: string) => void): Promise<void> {
  const grants = await demoGrants(stores);
  if (!grants) return;
  log("demo tokens (sign in with one on the page):");
  for (const role of roles) log(`  ${role.padEnd(15)} ${await issueToken(stores.tokens, tokenMint, grants[role], { expiresInDays: DEMO_TOKEN_DAYS })}`);
}

export interface ServeOptions {
  db: string;
  port: number;
  host: string;
  demoTokens?: boolean;
  demoSignIn?: boolean;
  rateLimit?: number;
  oidcIssuer?: string;
  oidcClientId?: string;
  /** Where browsers reach this ewis (behind a proxy, its https address); by default http://host:port/. */
  publicUrl?: string;
  sessionHours?: number;
}

/** The `--public-url` as a URL ending in `/`, so `auth/callback` resolves beneath it. */
function publicUrlOf(options: ServeOptions, port: number): URL {
  const given = options.publicUrl ?? `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}/`;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new EwisError("invalid_argument", `--public-url must be an http or https address, got "${given}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new EwisError("invalid_argument", `--public-url must be an http or https address, got "${given}"`);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/** The identity provider `serve` signs people in with: the district's (`--oidc-issuer`), the demo's, or none. */
async function singleSignOnFor(options: ServeOptions, stores: Stores, publicUrl: URL, log: (line: string) => void) {
  const sessionHours = options.sessionHours ?? DEFAULT_SESSION_HOURS;
  // Judged at start-up, not at the first sign-in: a setting that cannot work stops the service at once.
  if (!(sessionHours > 0 && sessionHours <= MAX_SESSION_HOURS)) throw new EwisError("invalid_argument", `--session-hours must be more than 0 and at most ${MAX_SESSION_HOURS}, got ${sessionHours}`);
  if (options.demoSignIn && options.oidcIssuer) throw new EwisError("invalid_argument", "--demo-sign-in starts its own identity provider: leave out --oidc-issuer");
  if (options.demoSignIn) {
    const demo = await startDemoSignIn(stores, publicUrl, options.host, log);
    if (!demo) return { sso: undefined, close: async () => {} };
    const sso = await discoverProvider({ issuer: demo.issuer, clientId: demo.clientId, clientSecret: demo.clientSecret, publicUrl, sessionHours });
    return { sso, close: demo.close };
  }
  if (!options.oidcIssuer) return { sso: undefined, close: async () => {} };
  if (!options.oidcClientId) throw new EwisError("invalid_argument", "--oidc-issuer needs --oidc-client-id (and the client's secret in EWIS_OIDC_CLIENT_SECRET, unless it is a public client)");
  let issuer: URL;
  try {
    issuer = new URL(options.oidcIssuer);
  } catch {
    throw new EwisError("invalid_argument", `--oidc-issuer must be the provider's issuer URL, got "${options.oidcIssuer}"`);
  }
  const clientSecret = process.env.EWIS_OIDC_CLIENT_SECRET || undefined;
  const sso = await discoverProvider({ issuer, clientId: options.oidcClientId, clientSecret, publicUrl, sessionHours });
  log(`sign-in through ${issuer.href}; register it the redirect URI ${sso.redirectUri}`);
  return { sso, close: async () => {} };
}

export async function serveCommand(options: ServeOptions, log: (line: string) => void): Promise<void> {
  const stores = await openStores(options.db, existing);
  if (options.demoTokens) await demoTokens(stores, log);
  if (options.demoTokens || options.demoSignIn) await ensureDemoCatalog(stores, log);
  // The port is bound first: with --port 0 the address the identity provider sends people back to is known only then.
  const server = await openPort(options.port, options.host);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const publicUrl = publicUrlOf(options, port);
  const signOn = await singleSignOnFor(options, stores, publicUrl, log).catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    await stores.close();
    throw error;
  });
  // One JSON line per request on stdout (route pattern, status, time, token or user id; no data).
  const inFlight = new InFlight();
  const app = createApp({
    stores,
    inFlight,
    rateLimitPerMinute: options.rateLimit,
    log: jsonLines((text) => process.stdout.write(text)),
    singleSignOn: signOn.sso,
    secureCookies: publicUrl.protocol === "https:",
  });
  server.on("request", app);
  log(`ewis serving ${stores.location} on http://${options.host}:${port}/ (API under /api/v1, Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await inFlight.idle();
  await signOn.close();
  await stores.close();
}
