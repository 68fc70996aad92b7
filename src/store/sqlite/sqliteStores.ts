import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { EwisError } from "../../core/index.ts";
import { publishInside } from "../sql/publishingTerm.ts";
import { purgeInside, purgesOf, type PurgeRecord } from "../sql/termPurge.ts";
import { SqlTermReads } from "../sql/termReads.ts";
import { SqlTokenStore } from "../sql/tokenRows.ts";
import { SqliteUserStore } from "./sqliteUsers.ts";
import { isSqliteError, storeFailure } from "../storeFailure.ts";
import type { OpenOptions, Stores } from "../stores.ts";
import type { PublishingTerm, TermReads, TermRecord, TermStore, TermToRecord } from "../termStore.ts";
import { SqliteAuditTrail } from "./auditLog.ts";
import { SqliteSessionStore } from "./sessionFile.ts";
import { caseworkFileOf, sqliteCasework } from "./caseworkFile.ts";
import { migrate } from "./migrations.ts";
import { sqliteBulk } from "./sqliteBulk.ts";
import { SqliteRunner } from "./sqliteRunner.ts";

/**
 * Page cache while publishing, in KiB as SQLite's negative `cache_size` takes it. 128 MB, not
 * more: a state's 1M-student run on 96 / 128 / 160 / 192 MB peaked at 1391 / 1418 / 1557 /
 * 1640 MB (the rollups' suppression now runs beside the writes), for about the same time
 * (37.2 / 38.7 / 37.0 / 36.1 s, within a run's noise).
 */
const PUBLISH_CACHE_KIB = -128 * 1024;

/** The embedded default: one SQLite file in WAL mode, so readers keep reading while a term is published. */
export function openSqliteStores(file: string, options: OpenOptions = {}): Stores {
  if (options.mustExist && !existsSync(file)) throw new EwisError("invalid_argument", "no ewis store there; publish a term with `ewis run-term` first", { file });
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    migrate(db);
  } catch (error) {
    throw storeFailure(error, file, "opening the store");
  }
  const runner = new SqliteRunner(db);
  const audit = new SqliteAuditTrail(db, file);
  const sessions = new SqliteSessionStore(file, runner);
  const casework = sqliteCasework(file);
  return {
    terms: new SqliteTermStore(db, runner, file),
    tokens: new SqlTokenStore(runner),
    users: new SqliteUserStore(runner, db),
    sessions,
    casework: casework.casework,
    audit,
    location: file,
    async startNewAuditTrail() {
      audit.startNew();
    },
    async close() {
      audit.close();
      sessions.close();
      casework.close();
      db.close();
    },
  };
}

class SqliteTermStore extends SqlTermReads implements TermStore {
  /** Requests inside `reading` now: they share one read transaction, ended by the last. */
  private readers = 0;
  private ownsRead = false;

  constructor(
    private readonly db: Database.Database,
    runner: SqliteRunner,
    private readonly file: string,
  ) {
    super(runner);
  }

  /**
   * Takes the write lock and lets it go: a read-only store or folder is found before a run
   * spends minutes reading a state's history, not at its commit.
   */
  async checkWritable(): Promise<void> {
    try {
      // BEGIN IMMEDIATE alone succeeds on a read-only file; a write of the same value does not.
      const version = this.db.pragma("user_version", { simple: true }) as number;
      this.db.exec(`BEGIN IMMEDIATE; PRAGMA user_version = ${version}; ROLLBACK;`);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw storeFailure(error, this.file, "taking the store's write lock");
    }
  }

  /**
   * One snapshot: each statement on its own sees the latest commit, so a request that reads
   * the term and then its rows could straddle a re-run of that term (it keeps its id) and name
   * one version while carrying the other's rows. The audit entry may be written inside: it
   * goes to the audit file, whose lock no publish holds.
   */
  async reading<T>(read: (snapshot: TermReads) => Promise<T>): Promise<T> {
    // Requests that overlap (one awaits while another starts) share the transaction the
    // first began, and the last to finish ends it; one already open here is not ours to end.
    this.readers++;
    try {
      // A transaction open here that no reader began is a publish on this connection: reading
      // inside it would see rows nobody else can yet.
      if (this.db.inTransaction && !this.ownsRead) throw new Error("a read on the publishing connection, inside its transaction");
      if (this.readers === 1) {
        this.db.exec("BEGIN DEFERRED");
        this.ownsRead = true;
      }
      return await read(this);
    } catch (error) {
      throw storeFailure(error, this.file, "reading the store");
    } finally {
      if (--this.readers === 0 && this.ownsRead) {
        this.ownsRead = false;
        this.db.exec("COMMIT");
      }
    }
  }

  /**
   * The casework file is attached to this connection for the purge, so its deletions and the
   * terms' are one SQLite transaction: any failure rolls back both files. (In WAL mode SQLite
   * makes a multi-file commit atomic in each file, not across them, should the machine stop in
   * the middle of the COMMIT itself; running the same purge again then finishes it.)
   */
  async purgeBefore(record: { at: string; before_year: number }): Promise<PurgeRecord> {
    const caseworkFile = caseworkFileOf(this.file);
    let attached = false;
    try {
      if (this.file !== ":memory:" && existsSync(caseworkFile)) {
        this.db.prepare("ATTACH DATABASE ? AS casework").run(caseworkFile);
        attached = true;
      }
      const hasCasework = attached && this.db.prepare("SELECT 1 FROM casework.sqlite_master WHERE name = 'plans'").get() !== undefined;
      this.db.exec("BEGIN IMMEDIATE");
      const done = await purgeInside(this.sql, record, hasCasework ? "casework." : null);
      this.db.exec("COMMIT");
      return done;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw storeFailure(error, this.file, `purging the records before ${record.before_year}`, "it was rolled back, so the store and its casework hold what they held before");
    } finally {
      if (attached) this.db.exec("DETACH DATABASE casework");
    }
  }

  purges(): Promise<PurgeRecord[]> {
    return purgesOf(this.sql);
  }

  async publish(
    place: { school_year: number; label: string },
    write: (term: PublishingTerm) => Promise<TermToRecord>,
    beforeCommit?: () => void,
  ): Promise<TermRecord> {
    // The list indexes are written in student order, not their own: at a state's million
    // scores they outgrow SQLite's default 2 MB page cache, and every insert then spills and
    // re-reads index pages.
    const cacheSize = this.db.pragma("cache_size", { simple: true }) as number;
    this.db.pragma(`cache_size = ${PUBLISH_CACHE_KIB}`);
    try {
      this.db.exec("BEGIN IMMEDIATE");
      await publishInside(this.sql, sqliteBulk(this.db), place, write, beforeCommit);
      this.db.exec("COMMIT");
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw storeFailure(error, this.file, `publishing ${place.school_year} ${place.label}`, "it was rolled back, so the store holds what it held before");
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
    }
    // Fresh statistics so risk lists use the (term, school, risk) index instead of scanning
    // the term; the limit keeps ANALYZE quick on a state-sized store. The term is committed by
    // now, so a disk that fills here costs only the statistics, not the run.
    try {
      this.db.exec("PRAGMA analysis_limit = 1000; ANALYZE main;");
    } catch (error) {
      if (!isSqliteError(error)) throw error;
    }
    const record = await this.findTerm(place.school_year, place.label);
    if (!record) throw new Error(`term ${place.school_year} ${place.label} was published but cannot be read back`);
    return record;
  }
}
