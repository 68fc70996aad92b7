import type { StoredSession } from "../core/index.ts";

/**
 * Signed-in sessions by the hash of their cookie: a copy of the database holds no usable
 * session. Found with their user, so each request judges the user as they are now.
 */
export interface SessionStore {
  createSession(hash: string, userId: number, createdAt: string, expiresAt: string): Promise<void>;
  sessionByHash(hash: string): Promise<StoredSession | undefined>;
  /** Ends a session from `at` on; false when there is no such session or it had ended already. */
  endSession(hash: string, at: string): Promise<boolean>;
}
