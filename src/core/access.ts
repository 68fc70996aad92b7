import { EwisError } from "./errors.ts";

/**
 * Who may see what. Student-level data is for the people who work with those students:
 * counselors and school admins for their schools, district admins for their district; state
 * admins see rollups state-wide and students only with an explicit grant. Scope is turned into
 * a store query, never applied by filtering results afterwards.
 */
export const roles = ["counselor", "school_admin", "district_admin", "state_admin"] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** The API token presented, or null for a person signed in through the identity provider. */
  tokenId: number | null;
  /** The user signed in (a session), or null for an API token. */
  userId: number | null;
  name: string;
  role: Role;
  districts: readonly string[];
  schools: readonly string[];
  studentGrant: boolean;
}

/** Rows a principal may read: every row, or those in one of the districts or schools. */
export type AccessScope = { all: true } | { all: false; districts: readonly string[]; schools: readonly string[] };

const everything: AccessScope = { all: true };

export function studentScope(p: Principal): AccessScope | undefined {
  switch (p.role) {
    case "counselor":
    case "school_admin":
      return { all: false, districts: [], schools: p.schools };
    case "district_admin":
      return { all: false, districts: p.districts, schools: [] };
    case "state_admin":
      return p.studentGrant ? everything : undefined;
  }
}

/** Aggregates: the same places as students, and the whole state for state admins. */
export function rollupScope(p: Principal): AccessScope {
  return p.role === "state_admin" ? everything : (studentScope(p) as AccessScope);
}

export function inScope(scope: AccessScope, where: { district_id: string; school_id: string }): boolean {
  return scope.all || scope.districts.includes(where.district_id) || (where.school_id !== "" && scope.schools.includes(where.school_id));
}

export interface TokenGrant {
  name: string;
  role: Role;
  districts: string[];
  schools: string[];
  studentGrant: boolean;
}

/** A token's role and scope must fit together: a counselor needs schools, a district admin a district. */
export function checkGrant(grant: TokenGrant): TokenGrant {
  const fail = (message: string) => {
    throw new EwisError("invalid_argument", message);
  };
  const { role, districts, schools, studentGrant } = grant;
  if (!(roles as readonly string[]).includes(role)) fail(`role must be one of ${roles.join(", ")}, got "${role}"`);
  if (!grant.name) fail("a token needs a name (who holds it)");
  if (role === "counselor" && (schools.length === 0 || districts.length > 0)) fail("a counselor token needs one or more --school scopes and no --district");
  if (role === "school_admin" && (schools.length !== 1 || districts.length > 0)) fail("a school_admin token needs exactly one --school scope");
  if (role === "district_admin" && (districts.length === 0 || schools.length > 0)) fail("a district_admin token needs one or more --district scopes and no --school");
  if (role === "state_admin" && (districts.length > 0 || schools.length > 0)) fail("a state_admin token is state-wide: give no --district or --school");
  if (studentGrant && role !== "state_admin") fail("--grant-students is only for state_admin tokens; other roles see their own students already");
  return grant;
}

/**
 * How long a token lasts unless its issuer says otherwise: a term and a little more, so a
 * token handed out at the start of a term lapses by the next one and a lost or forgotten
 * token stops working on its own. At most a school year and a day.
 */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;

export type TokenState = { state: "active" } | { state: "revoked"; at: string } | { state: "expired"; at: string };

/**
 * An instant as stored: ISO 8601 (`toISOString`), or SQLite's own `YYYY-MM-DD HH:MM:SS`, which
 * is UTC but which `Date.parse` would read as local time. NaN when unreadable.
 */
export function parseStoredTime(text: string): number {
  const sqliteForm = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text);
  return Date.parse(sqliteForm ? `${text.replace(" ", "T")}Z` : text);
}

/**
 * Whether a token opens the API at `now`: a revoked one never does again, and an expired one
 * stops at its expiry instant. Times are compared as instants, not as strings; an expiry that
 * cannot be read counts as passed, so a damaged row fails closed. No expiry (tokens made
 * before expiries existed) means the token lasts until revoked.
 */
export function tokenState(token: { expires_at: string | null; revoked_at: string | null }, now: Date): TokenState {
  if (token.revoked_at !== null) return { state: "revoked", at: token.revoked_at };
  if (token.expires_at !== null && !(parseStoredTime(token.expires_at) > now.getTime())) return { state: "expired", at: token.expires_at };
  return { state: "active" };
}

/** When a token made at `issuedAt` for `days` days expires, as an ISO instant. */
export function tokenExpiry(issuedAt: Date, days: number): string {
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw new EwisError("invalid_argument", `a token lasts 1 to ${MAX_TOKEN_DAYS} days, got ${days}`);
  }
  return new Date(issuedAt.getTime() + days * 86_400_000).toISOString();
}

/** A stored token as the access rules read it. */
export interface StoredToken {
  id: number;
  name: string;
  role: string;
  districts: string[];
  schools: string[];
  student_grant: boolean;
  expires_at: string | null;
  revoked_at: string | null;
}

/** What a presented token opens: its principal, or nothing and why. */
export type TokenCheck =
  | { ok: true; principal: Principal }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "revoked" | "expired"; at: string };

/**
 * What the token found for a presented secret opens at `now`: nothing when there is none, or
 * its role is not one ewis knows (a damaged or hand-edited row fails closed), or it is revoked
 * or expired; otherwise the principal it names.
 */
export function tokenCheck(token: StoredToken | undefined, now: Date): TokenCheck {
  if (!token || !(roles as readonly string[]).includes(token.role)) return { ok: false, reason: "unknown" };
  const state = tokenState(token, now);
  if (state.state !== "active") return { ok: false, reason: state.state, at: state.at };
  return {
    ok: true,
    principal: { tokenId: token.id, userId: null, name: token.name, role: token.role as Role, districts: token.districts, schools: token.schools, studentGrant: token.student_grant },
  };
}
