import type { CaseworkStore } from "./caseworkStore.ts";
import type { AuditTrail } from "./auditTrail.ts";
import type { SessionStore } from "./sessionStore.ts";
import type { TermStore } from "./termStore.ts";
import type { TokenStore } from "./tokenStore.ts";
import type { UserStore } from "./userStore.ts";

/**
 * One ewis database, by concern: published terms, tokens, users and their sessions, the audit trail. `openStores`
 * (`openStores.ts`) picks SQLite for a file path and PostgreSQL for a `postgres://` URL.
 */
export interface Stores {
  readonly terms: TermStore;
  readonly tokens: TokenStore;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly casework: CaseworkStore;
  readonly audit: AuditTrail;
  /** Where the data lives, as messages name it: the file, or the server's URL without its password. */
  readonly location: string;
  /**
   * Begins a new, empty audit trail knowingly, where the store's trail was lost (SQLite keeps
   * it in a file of its own that can go missing; PostgreSQL's is a table and cannot).
   */
  startNewAuditTrail(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** For commands that only read or add to a store: a mistyped path is an error, not a new empty store. */
  mustExist?: boolean;
}
