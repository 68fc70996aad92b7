import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { EwisError } from "../../core/index.ts";
import type { AuditEntry, AuditTrail } from "../auditTrail.ts";
import { toAuditEntry } from "../sql/rows.ts";
import { storeFailure } from "../storeFailure.ts";
import { besideStore } from "./sideFile.ts";

/**
 * The audit trail lives in a file of its own beside the store (`ewis.db` → `ewis.audit.db`),
 * on a connection of its own. SQLite locks writes per file, and a state's publish holds the
 * store's write lock for most of a minute while every student-level read must record its
 * audit entry before it is served: in the store's file, or attached to the publishing
 * connection (BEGIN IMMEDIATE locks every attached file), those reads would queue behind the
 * publish and fail at the busy timeout. Back up both files together.
 */
export const auditLogFile = (storeFile: string): string => besideStore(storeFile, "audit");

type Row = Record<string, unknown>;

/** A read is by an API token (`token_id`) or by a signed-in user (`user_id`). */
const auditTable = (name: string) => `
  CREATE TABLE IF NOT EXISTS ${name} (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    token_id INTEGER,
    user_id INTEGER,
    token_name TEXT NOT NULL,
    role TEXT NOT NULL,
    route TEXT NOT NULL,
    term_id INTEGER,
    students TEXT NOT NULL,
    student_count INTEGER NOT NULL
  );`;

/**
 * Trails from before sign-in required a token on every row. SQLite cannot relax a NOT NULL in
 * place, so the table is rebuilt, ids and all, in one transaction: a crash leaves the old table.
 */
function upgradeAuditTable(db: Database.Database): void {
  const columns = db.prepare("PRAGMA table_info(audit)").all() as { name: string }[];
  if (columns.some((c) => c.name === "user_id")) return;
  db.transaction(() => {
    db.exec(auditTable("audit_upgraded"));
    db.exec(`INSERT INTO audit_upgraded (id, at, token_id, token_name, role, route, term_id, students, student_count)
             SELECT id, at, token_id, token_name, role, route, term_id, students, student_count FROM audit`);
    db.exec("DROP TABLE audit; ALTER TABLE audit_upgraded RENAME TO audit;");
  })();
}

class AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(auditTable("audit"));
    upgradeAuditTable(this.db);
    this.insert = this.db.prepare("INSERT INTO audit (at, token_id, user_id, token_name, role, route, term_id, students, student_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }

  record(entries: readonly AuditEntry[]): void {
    const write = this.db.transaction(() => {
      for (const e of entries) this.insert.run(e.at, e.token_id, e.user_id, e.token_name, e.role, e.route, e.term_id, JSON.stringify(e.students), e.students.length);
    });
    write();
  }

  trail(limit: number): (AuditEntry & { id: number })[] {
    return (this.db.prepare("SELECT * FROM audit ORDER BY id DESC LIMIT ?").all(limit) as Row[]).map(toAuditEntry);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Stores from before the split kept the trail in their own `audit` table: its rows are moved
 * over, oldest first, with new ids (an older ewis still writing there restarts its ids, which
 * must not collide with rows already moved), then deleted. The two files commit separately:
 * a crash between the steps repeats a row rather than losing one.
 */
function moveOldAuditRows(store: Database.Database, log: AuditLog): void {
  const rows = store.prepare("SELECT * FROM audit ORDER BY id").all() as Row[];
  if (rows.length === 0) return;
  log.record(rows.map(toAuditEntry));
  store.prepare(`DELETE FROM audit WHERE id <= ?`).run(rows[rows.length - 1].id);
}


/**
 * The SQLite store's `AuditTrail`: its file is opened on first use, so a term run, which never
 * audits, never locks it. A store that began a trail and finds its file gone refuses to serve
 * rather than quietly starting an empty one.
 */
export class SqliteAuditTrail implements AuditTrail {
  private log: AuditLog | undefined;

  constructor(
    private readonly store: Database.Database,
    private readonly storeFile: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      this.open().record([entry]);
    } catch (error) {
      // Thrown before the response is sent: a read that cannot be audited is not served.
      throw storeFailure(error, auditLogFile(this.storeFile), "recording the audit entry", "nothing was served");
    }
  }

  async trail(limit = 1000): Promise<(AuditEntry & { id: number })[]> {
    return this.open().trail(limit);
  }

  /** Forgets that a trail was begun, so a lost one is replaced by a new, empty one. */
  startNew(): void {
    this.close();
    this.store.prepare("DELETE FROM audit_trail_begun").run();
  }

  close(): void {
    this.log?.close();
    this.log = undefined;
  }

  private open(): AuditLog {
    if (!this.log) {
      const file = auditLogFile(this.storeFile);
      const begun = this.store.prepare("SELECT at FROM audit_trail_begun").get() as { at: string } | undefined;
      if (begun && file !== ":memory:" && !existsSync(file)) {
        throw new EwisError(
          "store_failed",
          `the audit trail begun ${begun.at} is missing; restore it from the backup taken with the store, or start a new, empty trail knowingly with \`ewis audit --start-new-trail\`; nothing was served`,
          { file },
        );
      }
      try {
        this.log = new AuditLog(file);
        // After the file exists: a marker without its file would lock the trail for good.
        if (!begun) this.store.prepare("INSERT INTO audit_trail_begun (at) VALUES (?)").run(new Date().toISOString());
        moveOldAuditRows(this.store, this.log);
      } catch (error) {
        this.close();
        throw storeFailure(error, file, "opening the audit trail");
      }
    }
    return this.log;
  }
}
