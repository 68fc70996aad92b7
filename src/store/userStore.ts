import type { TokenGrant } from "../core/index.ts";

/**
 * The people who sign in through the district's identity provider, as the state or district
 * registers them: who (the provider's subject, or an email address), their role and scope, and
 * whether they are disabled. A user the store does not know, or a disabled one, signs in to
 * nothing.
 */
export interface UserRecord {
  id: number;
  subject: string | null;
  email: string | null;
  name: string;
  role: string;
  districts: string[];
  schools: string[];
  student_grant: boolean;
  created_at: string;
  disabled_at: string | null;
}

export interface NewUser {
  subject: string | null;
  email: string | null;
  grant: TokenGrant;
}

export interface UserStore {
  /** Stores a user; resolves undefined when one with that subject or email is there already. */
  addUser(user: NewUser, createdAt: string): Promise<number | undefined>;
  /** The user with this subject, else the one with this email (already lower-cased). */
  findUser(by: { subject?: string; email?: string }): Promise<UserRecord | undefined>;
  /** Every user, oldest first. */
  listUsers(): Promise<UserRecord[]>;
  /**
   * Records the identity provider's subject for a user registered by email alone, the first
   * time they sign in with it, so the address given to someone else later opens nothing. False
   * when the user has a subject already, or the store could not write it now (it is tried
   * again at the next sign-in).
   */
  claimSubject(id: number, subject: string): Promise<boolean>;
  /** Disables a user from `at` on (an already disabled one keeps its first date); undefined if there is no such user. */
  disableUser(id: number, at: string): Promise<{ user: UserRecord; disabledNow: boolean } | undefined>;
}
