import type Database from "better-sqlite3";

/**
 * The audit trail lives in a file of its own beside the store (`ewis.db` → `ewis.audit.db`),
 * attached to the same connection. SQLite locks writes per file: a state's publish holds the
 * store's write lock for most of a minute, and every student-level read must record its audit
 * entry before it is served; in one file those reads would queue behind the publish and fail
 * at the busy timeout. Back up both files together.
 */
export function auditLogFile(storeFile: string): string {
  if (storeFile === ":memory:") return ":memory:";
  return storeFile.endsWith(".db") ? `${storeFile.slice(0, -3)}.audit.db` : `${storeFile}.audit.db`;
}

export function attachAuditLog(db: Database.Database, storeFile: string): void {
  db.prepare("ATTACH DATABASE ? AS audit_log").run(auditLogFile(storeFile));
  db.pragma("audit_log.journal_mode = WAL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS audit_log.audit (
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
  // Stores from before the split kept the trail in their own `audit` table: moved over once.
  // Two files commit separately, so the copy keeps ids and ignores rows already there: a crash
  // between the two steps repeats the move rather than doubling a row.
  if (db.prepare("SELECT 1 FROM main.audit LIMIT 1").get() !== undefined) {
    db.exec("INSERT OR IGNORE INTO audit_log.audit SELECT * FROM main.audit");
    db.exec("DELETE FROM main.audit");
  }
}
