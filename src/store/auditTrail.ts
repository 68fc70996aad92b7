/**
 * Who read which students, when, through which route. Written before a student-level answer
 * is sent (a read that cannot be audited is not served), on a path of its own that no publish
 * holds a lock on: SQLite keeps it in a file of its own, PostgreSQL in a table outside the
 * publishing transaction.
 */
export interface AuditEntry {
  at: string;
  /** The API token that read, or null when a signed-in user did (`user_id`). */
  token_id: number | null;
  user_id: number | null;
  /** Who read: the token's holder or the user, by name. */
  token_name: string;
  role: string;
  route: string;
  term_id: number | null;
  students: string[];
}

export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>;
  /** The newest `limit` entries, newest first. */
  trail(limit?: number): Promise<(AuditEntry & { id: number })[]>;
}
