import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { DEFAULT_SESSION_HOURS, EwisError, MAX_SESSION_HOURS, sessionCheck, sessionExpiry, userCheck, type SessionCheck, type UserCheck } from "../core/index.ts";
import type { SessionStore } from "../store/sessionStore.ts";
import type { UserStore } from "../store/userStore.ts";

/** What the identity provider vouched for, from the ID token's claims. */
export interface SignedInIdentity {
  subject: string;
  email?: string;
  /** Only an email the provider says it verified is matched; `undefined` (it did not say) is not enough. */
  emailVerified?: boolean;
}

export interface SessionPorts {
  users: UserStore;
  sessions: SessionStore;
}

/** Sessions are stored by the SHA-256 of the cookie's value, as tokens are: a copy of the database opens nothing. */
const hashSession = (session: string): string => createHash("sha256").update(`session:${session}`).digest("hex");

/**
 * The person ewis knows for this identity: by the provider's subject first (it never changes
 * and is never reused), else by email, but only an email the provider says it verified (a
 * provider that does not say, as Entra ID does not, is not taken at its word: an unverified
 * address is any string a user typed into a profile). The first match by email records the
 * subject, so the address, once given to someone else, opens nothing.
 */
async function userFor(users: UserStore, who: SignedInIdentity) {
  const bySubject = await users.findUser({ subject: who.subject });
  if (bySubject && bySubject.subject === who.subject) return bySubject;
  if (who.email === undefined || who.emailVerified !== true) return undefined;
  const byEmail = await users.findUser({ email: who.email.trim().toLowerCase() });
  // A user registered with another subject is someone else who happens to share the address.
  if (!byEmail || byEmail.subject !== null) return undefined;
  await users.claimSubject(byEmail.id, who.subject);
  return byEmail;
}

export type SessionStart = { ok: true; session: string; expiresAt: string; check: Extract<UserCheck, { ok: true }> } | { ok: false; reason: "unknown_user" | "disabled" };

/**
 * Begins a session for whoever the identity provider signed in, if ewis knows them and they are
 * not disabled. Returns the cookie's value: the only place it exists, as for a token.
 */
export async function startSession(ports: SessionPorts, who: SignedInIdentity, now: Date, hours = DEFAULT_SESSION_HOURS): Promise<SessionStart> {
  if (!(hours > 0 && hours <= MAX_SESSION_HOURS)) throw new EwisError("invalid_argument", `a session lasts more than 0 and at most ${MAX_SESSION_HOURS} hours, got ${hours}`);
  const check = userCheck(await userFor(ports.users, who));
  if (!check.ok) return check;
  const session = randomBytes(32).toString("base64url");
  const expiresAt = sessionExpiry(now, hours);
  await ports.sessions.createSession(hashSession(session), check.principal.userId as number, now.toISOString(), expiresAt);
  return { ok: true, session, expiresAt, check };
}

/** The principal a presented session cookie opens at `now`, or why it opens nothing. */
export async function sessionOf(sessions: SessionStore, session: string, now: Date): Promise<SessionCheck> {
  return sessionCheck(await sessions.sessionByHash(hashSession(session)), now);
}

/** Ends a session on the server: its cookie opens nothing from then on, wherever it was copied. */
export function endSession(sessions: SessionStore, session: string, now: Date): Promise<boolean> {
  return sessions.endSession(hashSession(session), now.toISOString());
}

/**
 * The CSRF token of a session: derived from the session's secret, so it needs no storage, lives
 * and dies with the session, and cannot be worked out by a page that cannot read the cookie.
 */
export const csrfTokenOf = (session: string): string => createHmac("sha256", session).update("ewis csrf").digest("base64url");

/** Whether a presented CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenOf(session));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
