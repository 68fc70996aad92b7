import Database from "better-sqlite3";
import type { AuditEntry } from "./scoreStore.ts";

/**
 * The audit trail lives in a file of its own beside the store (`ewis.db` → `ewis.audit.db`),
 * on a connection of its own. SQLite locks writes per file, and a state's publish holds the
 * store's write lock for most of a minute while every student-level read must record its
 * audit entry before it is served: in the store's file, or attached to the publishing
 * connection (BEGIN IMMEDIATE locks every attached file), those reads would queue behind the
 * publish and fail at the busy timeout. Back up both files together.
 */
export function auditLogFile(storeFile: string): string {
  if (storeFile === ":memory:") return ":memory:";
  return storeFile.endsWith(".db") ? `${storeFile.slice(0, -3)}.audit.db` : `${storeFile}.audit.db`;
}

type Row = Record<string, unknown>;

export class AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        token_id INTEGER NOT NULL,
        token_name TEXT NOT NULL,
        role TEXT NOT NULL,
        route TEXT NOT NULL,
        term_id INTEGER,
        students TEXT NOT NULL,
        student_count INTEGER NOT NULL
      );
    `);
    this.insert = this.db.prepare("INSERT INTO audit (at, token_id, token_name, role, route, term_id, students, student_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  }

  record(entries: readonly AuditEntry[]): void {
    const write = this.db.transaction(() => {
      for (const e of entries) this.insert.run(e.at, e.token_id, e.token_name, e.role, e.route, e.term_id, JSON.stringify(e.students), e.students.length);
    });
    write();
  }

  trail(limit: number): (AuditEntry & { id: number })[] {
    return (this.db.prepare("SELECT * FROM audit ORDER BY id DESC LIMIT ?").all(limit) as Row[]).map((r) => ({ id: r.id as number, ...auditEntryOf(r) }));
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
export function moveOldAuditRows(store: Database.Database, log: AuditLog): void {
  const rows = store.prepare("SELECT * FROM audit ORDER BY id").all() as Row[];
  if (rows.length === 0) return;
  log.record(rows.map(auditEntryOf));
  store.prepare(`DELETE FROM audit WHERE id <= ?`).run(rows[rows.length - 1].id);
}

function auditEntryOf(r: Row): AuditEntry {
  return {
    at: r.at as string,
    token_id: r.token_id as number,
    token_name: r.token_name as string,
    role: r.role as string,
    route: r.route as string,
    term_id: (r.term_id as number | null) ?? null,
    students: JSON.parse(r.students as string),
  };
}
