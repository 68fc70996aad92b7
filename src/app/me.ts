import { studentScope, type Principal } from "../core/index.ts";

/**
 * Who the caller is, as the pages need it to choose where to start: role, scope and whether
 * the role reads students. Reads nothing of the store, so signing in never reads, nor
 * audits, a student.
 */
export function whoAmI(principal: Principal) {
  return {
    name: principal.name,
    role: principal.role,
    districts: principal.districts,
    schools: principal.schools,
    state: principal.role === "state_admin",
    reads_students: studentScope(principal) !== undefined,
    signed_in_with: principal.tokenId === null ? ("session" as const) : ("token" as const),
  };
}
