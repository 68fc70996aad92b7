import Database from "better-sqlite3";
import type { StoredSession } from "../../core/index.ts";
import type { SessionStore } from "../sessionStore.ts";
import { SqlSessionStore } from "../sql/sessionRows.ts";
import { storeFailure } from "../storeFailure.ts";
import { besideStore } from "./sideFile.ts";
import { SqliteRunner } from "./sqliteRunner.ts";

/** `ewis.db` → `ewis.sessions.db`. */
export const sessionFileOf = (storeFile: string): string => besideStore(storeFile, "sessions");

/**
 * SQLite's sessions, in a file of their own beside the store, for the reason the audit trail
 * has one: a term's publish holds the store file's write lock for most of a minute, and
 * better-sqlite3 waits for a lock on Node's one thread, so a sign-in written to the store
 * would stall every request until the publish ended. Nothing here needs a backup: a lost file
 * signs everyone out. Opened on first use, so a term run never creates it.
 */
export class SqliteSessionStore implements SessionStore {
  private db: Database.Database | undefined;
  private store: SqlSessionStore | undefined;

  constructor(
    private readonly storeFile: string,
    private readonly users: SqliteRunner,
  ) {}

  createSession(hash: string, userId: number, createdAt: string, expiresAt: string): Promise<void> {
    return this.open("starting a session", (s) => s.createSession(hash, userId, createdAt, expiresAt));
  }

  sessionByHash(hash: string): Promise<StoredSession | undefined> {
    return this.open("reading a session", (s) => s.sessionByHash(hash));
  }

  endSession(hash: string, at: string): Promise<boolean> {
    return this.open("ending a session", (s) => s.endSession(hash, at));
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.store = undefined;
  }

  private async open<T>(doing: string, use: (store: SqlSessionStore) => Promise<T>): Promise<T> {
    const file = sessionFileOf(this.storeFile);
    try {
      if (!this.store) {
        const db = new Database(file);
        db.pragma("journal_mode = WAL");
        db.pragma("busy_timeout = 10000");
        db.exec(`CREATE TABLE IF NOT EXISTS sessions (
          hash TEXT PRIMARY KEY,
          user_id INTEGER NOT NULL,
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          ended_at TEXT
        )`);
        this.db = db;
        this.store = new SqlSessionStore(new SqliteRunner(db), this.users);
      }
      return await use(this.store);
    } catch (error) {
      throw storeFailure(error, file, doing);
    }
  }
}
