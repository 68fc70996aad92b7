import { issueToken, revokeToken } from "../app/tokens.ts";
import { roles, tokenState, type Role, type TokenGrant } from "../core/index.ts";
import { csvField } from "../io/csvCell.ts";
import { jsonLines } from "../http/accessLog.ts";
import { tokenMint } from "../http/auth.ts";
import { createApp } from "../http/createApp.ts";
import { scopeOf } from "./scopeOptions.ts";
import { InFlight } from "../http/inFlight.ts";
import { listen } from "../http/server.ts";
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
    log("at,token,role,route,term,students");
    for (const a of await stores.audit.trail(options.limit)) {
      log([a.at, a.token_name, a.role, a.route, a.term_id ?? "", `${a.students.length}:${a.students.slice(0, 5).join(" ")}${a.students.length > 5 ? " …" : ""}`].join(","));
    }
  });
}

/** One demo token per role, scoped to the first district and school of the latest term. */
async function demoTokens(stores: Stores, log: (line: string) => void): Promise<void> {
  const term = await stores.terms.latestTerm();
  if (!term) return;
  const place = (await stores.terms.places(term.id, { all: true })).find((p) => p.school_id !== "");
  if (!place) return;
  const grants: Record<Role, Omit<TokenGrant, "role">> = {
    counselor: { name: "demo counselor", schools: [place.school_id], districts: [], studentGrant: false },
    school_admin: { name: "demo school admin", schools: [place.school_id], districts: [], studentGrant: false },
    district_admin: { name: "demo district admin", schools: [], districts: [place.district_id], studentGrant: false },
    state_admin: { name: "demo state admin", schools: [], districts: [], studentGrant: false },
  };
  log("demo tokens (sign in with one on the page):");
  for (const role of roles) log(`  ${role.padEnd(15)} ${await issueToken(stores.tokens, tokenMint, { role, ...grants[role] }, { expiresInDays: DEMO_TOKEN_DAYS })}`);
}

export async function serveCommand(options: { db: string; port: number; host: string; demoTokens?: boolean; rateLimit?: number }, log: (line: string) => void): Promise<void> {
  const stores = await openStores(options.db, existing);
  if (options.demoTokens) await demoTokens(stores, log);
  // One JSON line per request on stdout (route pattern, status, time, token id; no data).
  const inFlight = new InFlight();
  const server = await listen(createApp({ stores, inFlight, rateLimitPerMinute: options.rateLimit, log: jsonLines((text) => process.stdout.write(text)) }), options.port, options.host);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  log(`ewis serving ${stores.location} on http://${options.host}:${port}/ (API under /api/v1, Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await inFlight.idle();
  await stores.close();
}
