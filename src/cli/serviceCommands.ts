import { checkGrant, EwisError, roles, type Role, type TokenGrant } from "../core/index.ts";
import { hashToken, newToken } from "../http/auth.ts";
import { createApp } from "../http/createApp.ts";
import { listen } from "../http/server.ts";
import type { ScoreStore } from "../store/scoreStore.ts";
import { SqliteScoreStore } from "../store/sqliteScoreStore.ts";

/** Creates a token and returns it: the only time it exists outside its holder's hands. */
export function issueToken(store: ScoreStore, grant: TokenGrant): string {
  const token = newToken();
  store.createToken(checkGrant(grant), hashToken(token), new Date().toISOString());
  return token;
}

export function tokenCreateCommand(
  options: { db: string; role: string; name: string; scope: string[]; school: string[]; district: string[]; grantStudents?: boolean },
  log: (line: string) => void,
): void {
  const schools = [...options.school];
  const districts = [...options.district];
  for (const scope of options.scope) {
    const [kind, id] = [scope.slice(0, scope.indexOf(":")), scope.slice(scope.indexOf(":") + 1)];
    if (kind === "school" && id) schools.push(id);
    else if (kind === "district" && id) districts.push(id);
    else throw new EwisError("invalid_argument", `--scope must be school:ID or district:ID, got "${scope}"`);
  }
  const store = new SqliteScoreStore(options.db, { mustExist: true });
  try {
    const token = issueToken(store, {
      name: options.name,
      role: options.role as Role,
      schools,
      districts,
      studentGrant: options.grantStudents === true,
    });
    log(token);
  } finally {
    store.close();
  }
}

export function auditCommand(options: { db: string; limit: number }, log: (line: string) => void): void {
  const store = new SqliteScoreStore(options.db, { mustExist: true });
  try {
    log("at,token,role,route,term,students");
    for (const a of store.auditTrail(options.limit)) {
      log([a.at, a.token_name, a.role, a.route, a.term_id ?? "", `${a.students.length}:${a.students.slice(0, 5).join(" ")}${a.students.length > 5 ? " …" : ""}`].join(","));
    }
  } finally {
    store.close();
  }
}

/** One demo token per role, scoped to the first district and school of the latest term. */
function demoTokens(store: ScoreStore, log: (line: string) => void): void {
  const term = store.latestTerm();
  if (!term) return;
  const place = store.places(term.id, { all: true }).find((p) => p.school_id !== "");
  if (!place) return;
  const grants: Record<Role, Omit<TokenGrant, "role">> = {
    counselor: { name: "demo counselor", schools: [place.school_id], districts: [], studentGrant: false },
    school_admin: { name: "demo school admin", schools: [place.school_id], districts: [], studentGrant: false },
    district_admin: { name: "demo district admin", schools: [], districts: [place.district_id], studentGrant: false },
    state_admin: { name: "demo state admin", schools: [], districts: [], studentGrant: false },
  };
  log("demo tokens (sign in with one on the page):");
  for (const role of roles) log(`  ${role.padEnd(15)} ${issueToken(store, { role, ...grants[role] })}`);
}

export async function serveCommand(options: { db: string; port: number; host: string; demoTokens?: boolean }, log: (line: string) => void): Promise<void> {
  const store = new SqliteScoreStore(options.db, { mustExist: true });
  if (options.demoTokens) demoTokens(store, log);
  const server = await listen(createApp({ store }), options.port, options.host);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  log(`ewis serving ${options.db} on http://${options.host}:${port}/ (API under /api/v1, Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  store.close();
}
