import pg from "pg";
import { EwisError } from "../../core/index.ts";
import type { AuditEntry, AuditTrail } from "../auditTrail.ts";
import { publishInside } from "../sql/publishingTerm.ts";
import { toAuditEntry } from "../sql/rows.ts";
import { SqlTermReads } from "../sql/termReads.ts";
import { SqlTokenStore } from "../sql/tokenRows.ts";
import { SqlSessionStore } from "../sql/sessionRows.ts";
import { purgeInside, purgesOf, type PurgeRecord } from "../sql/termPurge.ts";
import { SqlCaseworkStore } from "../sql/caseworkRows.ts";
import { pgTransactor } from "./pgTransactor.ts";
import { SqlUserStore } from "../sql/userRows.ts";
import type { OpenOptions, Stores } from "../stores.ts";
import type { PublishingTerm, TermReads, TermRecord, TermStore, TermToRecord } from "../termStore.ts";
import { pgBulk } from "./pgBulk.ts";
import { pgFailure } from "./pgFailure.ts";
import { hasSchema, migrate } from "./pgMigrations.ts";
import { PgRunner } from "./pgRunner.ts";

/** Only one publish at a time in a database: a second waits for the first to commit or roll back. */
const PUBLISH_LOCK = 0x65776970;

/** The URL as messages may show it: no password, neither before the host nor as a parameter. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "";
    for (const name of [...parsed.searchParams.keys()]) if (/password/i.test(name)) parsed.searchParams.delete(name);
    return parsed.toString();
  } catch {
    return "postgres://(unreadable URL)";
  }
}

/** How long a request waits for a free connection before it fails, rather than hang. */
const CONNECTION_WAIT_MS = 10_000;

/**
 * A state deployment's store: one PostgreSQL database shared by every `ewis serve` and the
 * term run. Each request reads one REPEATABLE READ snapshot; a publish is one transaction that
 * readers never see half of; the audit trail is its own table, written outside any publish.
 */
export async function openPostgresStores(url: string, options: OpenOptions = {}): Promise<Stores> {
  const location = withoutPassword(url);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECTION_WAIT_MS });
  // A student-level request holds a connection for its snapshot while it writes its audit
  // entry: on the same pool, ten such requests at once would each wait for an eleventh
  // connection for good. The trail has a pool of its own, which no reader holds.
  const auditPool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: CONNECTION_WAIT_MS });
  // Casework writes, for the same reason (`pgTransactor.ts`).
  const caseworkPool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: CONNECTION_WAIT_MS });
  // An idle connection that drops (a server restart) must not crash the process.
  for (const p of [pool, auditPool, caseworkPool]) p.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      if (options.mustExist && !(await hasSchema(client))) {
        throw new EwisError("invalid_argument", "no ewis store in that database; publish a term with `ewis run-term` first", { file: location });
      }
      await migrate(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await Promise.all([pool.end(), auditPool.end(), caseworkPool.end()]);
    throw pgFailure(error, location, "opening the store");
  }
  const runner = new PgRunner(pool, (error) => pgFailure(error, location, "a statement on the store"));
  return {
    terms: new PostgresTermStore(pool, runner, location),
    tokens: new SqlTokenStore(runner),
    users: new SqlUserStore(runner),
    sessions: new SqlSessionStore(runner, runner),
    casework: new SqlCaseworkStore(pgTransactor(caseworkPool, (error) => pgFailure(error, location, "writing casework"))),
    audit: new PostgresAuditTrail(new PgRunner(auditPool), location),
    location,
    async startNewAuditTrail() {
      throw new EwisError("invalid_argument", "the PostgreSQL store keeps its audit trail in the database itself; there is no separate trail to lose or begin again");
    },
    async close() {
      await Promise.all([pool.end(), auditPool.end(), caseworkPool.end()]);
    },
  };
}

class PostgresTermStore extends SqlTermReads implements TermStore {
  constructor(
    private readonly pool: pg.Pool,
    runner: PgRunner,
    private readonly location: string,
  ) {
    super(runner);
  }

  /** A user without write rights, or a read-only replica, is found before a run reads a state's history. */
  async checkWritable(): Promise<void> {
    await this.inTransaction("BEGIN", "checking the store can be written", async (client) => {
      await client.query("LOCK TABLE terms, scores, rollups IN ROW EXCLUSIVE MODE NOWAIT");
    }, false);
  }

  async reading<T>(read: (snapshot: TermReads) => Promise<T>): Promise<T> {
    return this.inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "reading the store", (client) => read(new SqlTermReads(new PgRunner(client))));
  }

  async purgeBefore(record: { at: string; before_year: number }): Promise<PurgeRecord> {
    return this.inTransaction(
      "BEGIN",
      `purging the terms before ${record.before_year}`,
      async (client) => {
        // A purge and a publish never run at once: the same lock a publish takes.
        await client.query("SELECT pg_advisory_xact_lock($1)", [PUBLISH_LOCK]);
        // Casework is in the same database: its purge is part of this one transaction.
        return purgeInside(new PgRunner(client), record, "");
      },
      true,
      "it was rolled back, so the store holds what it held before",
    );
  }

  purges(): Promise<PurgeRecord[]> {
    return purgesOf(this.sql);
  }

  async publish(
    place: { school_year: number; label: string },
    write: (term: PublishingTerm) => Promise<TermToRecord>,
    beforeCommit?: () => void,
  ): Promise<TermRecord> {
    await this.inTransaction(
      "BEGIN",
      `publishing ${place.school_year} ${place.label}`,
      async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1)", [PUBLISH_LOCK]);
        await publishInside(new PgRunner(client), pgBulk(client), place, write, beforeCommit);
      },
      true,
      "it was rolled back, so the store holds what it held before",
    );
    // Fresh statistics for the lists' plans; the term is committed by now.
    try {
      await this.pool.query("ANALYZE scores, rollups");
    } catch {
      // Only the statistics are lost; autovacuum takes them in time.
    }
    const record = await this.findTerm(place.school_year, place.label);
    if (!record) throw new Error(`term ${place.school_year} ${place.label} was published but cannot be read back`);
    return record;
  }

  /** Runs `work` in a transaction on one connection: committed if `commit`, rolled back otherwise or on any error. */
  private async inTransaction<T>(begin: string, doing: string, work: (client: pg.PoolClient) => Promise<T>, commit = true, outcome?: string): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw pgFailure(error, this.location, doing, outcome);
    }
    let committing = false;
    try {
      await client.query(begin);
      const result = await work(client);
      committing = commit;
      await client.query(commit ? "COMMIT" : "ROLLBACK");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      // A connection lost during COMMIT leaves the outcome unknown: the server may have committed.
      const after = committing ? "the connection failed while committing, so it may or may not have been committed; `ewis terms` shows which" : outcome;
      throw pgFailure(error, this.location, doing, after);
    } finally {
      client.release();
    }
  }
}

class PostgresAuditTrail implements AuditTrail {
  constructor(
    private readonly sql: PgRunner,
    private readonly location: string,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    try {
      await this.sql.run("INSERT INTO audit (at, token_id, user_id, token_name, role, route, term_id, students, student_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        e.at, e.token_id, e.user_id, e.token_name, e.role, e.route, e.term_id, JSON.stringify(e.students), e.students.length,
      ]);
    } catch (error) {
      // Thrown before the response is sent: a read that cannot be audited is not served.
      throw pgFailure(error, this.location, "recording the audit entry", "nothing was served");
    }
  }

  async trail(limit = 1000): Promise<(AuditEntry & { id: number })[]> {
    const rows = await this.sql.rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]);
    return rows.map(toAuditEntry);
  }
}
