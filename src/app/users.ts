import { checkGrant, EwisError, type TokenGrant } from "../core/index.ts";
import type { UserRecord, UserStore } from "../store/userStore.ts";

/** An email as the store keeps and matches it: trimmed and lower-cased. */
const normalEmail = (email: string) => email.trim().toLowerCase();

/**
 * Registers a person who will sign in through the identity provider, by the provider's
 * subject, their email, or both; role and scope are checked as a token's are.
 */
export async function addUser(users: UserStore, who: { subject?: string; email?: string; grant: TokenGrant }, now: Date): Promise<number> {
  const subject = who.subject?.trim() || null;
  const email = who.email === undefined ? null : normalEmail(who.email);
  if (subject === null && email === null) throw new EwisError("invalid_argument", "a user needs --email or --subject (the identity provider's id for them)");
  if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new EwisError("invalid_argument", `--email must be an email address, got "${who.email}"`);
  const id = await users.addUser({ subject, email, grant: checkGrant(who.grant) }, now.toISOString());
  if (id === undefined) throw new EwisError("invalid_argument", `there is already a user with that ${email !== null ? "email" : "subject"}; \`ewis user list\` shows them`);
  return id;
}

/** Disables a user by id: from then on they sign in to nothing. An already disabled one keeps its first date. */
export async function disableUser(users: UserStore, id: number, now: Date): Promise<{ user: UserRecord; disabledNow: boolean }> {
  const disabled = await users.disableUser(id, now.toISOString());
  if (!disabled) throw new EwisError("not_found", `no user ${id}; \`ewis user list\` shows them`);
  return disabled;
}
