import Database from "better-sqlite3";
import type { CaseworkStore } from "../caseworkStore.ts";
import { SqlCaseworkStore, type Transactor } from "../sql/caseworkRows.ts";
import type { SqlRunner } from "../sql/sqlRunner.ts";
import { storeFailure } from "../storeFailure.ts";
import { besideStore } from "./sideFile.ts";
import { SqliteRunner } from "./sqliteRunner.ts";

/** `ewis.db` → `ewis.casework.db`. */
export const caseworkFileOf = (storeFile: string): string => besideStore(storeFile, "casework");

/** The casework file's schema, in order; `PRAGMA user_version` records how many have run. Append, never edit. */
const caseworkMigrations: readonly string[] = [
  `
  CREATE TABLE intervention_types (id TEXT PRIMARY KEY, label TEXT NOT NULL, created_at TEXT NOT NULL, retired_at TEXT);
  CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    student_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    school_id TEXT NOT NULL,
    type_id TEXT NOT NULL REFERENCES intervention_types (id),
    owner TEXT NOT NULL,
    goal TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    check_in_days INTEGER NOT NULL,
    last_check_in_on TEXT,
    ended_on TEXT,
    outcome TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE INDEX plans_by_student ON plans (student_id);
  CREATE TABLE plan_events (id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL REFERENCES plans (id), at TEXT NOT NULL, by_name TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
  CREATE INDEX plan_events_by_plan ON plan_events (plan_id);
  CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    student_id TEXT NOT NULL,
    district_id TEXT NOT NULL,
    school_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('general', 'restricted')),
    text TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL
  );
  CREATE INDEX notes_by_student ON notes (student_id);
  `,
];

/**
 * SQLite's casework, in a file of its own beside the store (`ewis.casework.db`), for the reason
 * the audit trail and the sessions have theirs: a publish holds the store file's write lock for
 * most of a minute, and a counselor's check-in must not wait for it. Unlike the sessions it is
 * a record: back it up with the store. Opened on first use, so a term run never creates it.
 * Transactions are taken one at a time: requests interleave at every await, and SQLite has one
 * transaction a connection.
 */
class SqliteCasework implements Transactor {
  private db: Database.Database | undefined;
  private runner: SqliteRunner | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  get sql(): SqlRunner {
    return { rows: (s, v) => this.open().rows(s, v), arrays: (s, v) => this.open().arrays(s, v), run: (s, v) => this.open().run(s, v) };
  }

  transaction<T>(work: (sql: SqlRunner) => Promise<T>): Promise<T> {
    const turn = this.queue.then(async () => {
      const runner = this.open();
      const db = this.db!;
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(runner);
        db.exec("COMMIT");
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw error;
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.runner = undefined;
  }

  private open(): SqliteRunner {
    if (!this.runner) {
      try {
        const db = new Database(this.file);
        db.pragma("journal_mode = WAL");
        db.pragma("busy_timeout = 10000");
        db.pragma("foreign_keys = ON");
        const applied = db.pragma("user_version", { simple: true }) as number;
        for (let version = applied; version < caseworkMigrations.length; version++) {
          db.transaction(() => {
            db.exec(caseworkMigrations[version]);
            db.pragma(`user_version = ${version + 1}`);
          })();
        }
        this.db = db;
        this.runner = new SqliteRunner(db);
      } catch (error) {
        throw storeFailure(error, this.file, "opening the casework file");
      }
    }
    return this.runner;
  }
}

/** The SQLite store's casework and how to close it. */
export function sqliteCasework(storeFile: string): { casework: CaseworkStore; close(): void } {
  const file = new SqliteCasework(caseworkFileOf(storeFile));
  return { casework: new SqlCaseworkStore(file), close: () => file.close() };
}
