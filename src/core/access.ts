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
  tokenId: number;
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

/** The state rollup is for whoever may see the whole state. */
export const seesState = (scope: AccessScope): boolean => scope.all;

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
