import { parseStoredTime, roles, type Principal, type Role } from "./access.ts";

/**
 * A signed-in session lasts a working day: long enough for a counselor's day of meetings,
 * short enough that a browser left open overnight at school opens nothing the next morning.
 */
export const DEFAULT_SESSION_HOURS = 8;
export const MAX_SESSION_HOURS = 24 * 7;

/** A stored user as the access rules read it. */
export interface SignInUser {
  id: number;
  name: string;
  role: string;
  districts: string[];
  schools: string[];
  student_grant: boolean;
  disabled_at: string | null;
}

/** Whether the person the identity provider vouched for may come in: ewis must know them, and they must not be disabled. */
export type UserCheck = { ok: true; principal: Principal } | { ok: false; reason: "unknown_user" | "disabled" };

export function userCheck(user: SignInUser | undefined): UserCheck {
  if (!user || !(roles as readonly string[]).includes(user.role)) return { ok: false, reason: "unknown_user" };
  if (user.disabled_at !== null) return { ok: false, reason: "disabled" };
  return {
    ok: true,
    principal: { tokenId: null, userId: user.id, name: user.name, role: user.role as Role, districts: user.districts, schools: user.schools, studentGrant: user.student_grant },
  };
}

/** A stored session and its user, as found by the hash of the cookie presented. */
export interface StoredSession {
  expires_at: string;
  ended_at: string | null;
  user: SignInUser;
}

export type SessionCheck = { ok: true; principal: Principal } | { ok: false; reason: "unknown" | "ended" | "expired" | "unknown_user" | "disabled" };

/**
 * What a presented session opens at `now`. The user is read afresh on every request, so a
 * user disabled, or given another role or scope, is held to it at once, not at next sign-in.
 * An expiry that cannot be read counts as passed: a damaged row fails closed.
 */
export function sessionCheck(session: StoredSession | undefined, now: Date): SessionCheck {
  if (!session) return { ok: false, reason: "unknown" };
  if (session.ended_at !== null) return { ok: false, reason: "ended" };
  if (!(parseStoredTime(session.expires_at) > now.getTime())) return { ok: false, reason: "expired" };
  return userCheck(session.user);
}

/** When a session begun at `at` for `hours` hours ends. */
export function sessionExpiry(at: Date, hours: number): string {
  return new Date(at.getTime() + hours * 3_600_000).toISOString();
}
