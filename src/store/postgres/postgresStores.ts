import pg from "pg";
import { EwisError } from "../../core/index.ts";
import type { AuditEntry, AuditTrail } from "../auditTrail.ts";
import { publishInside } from "../sql/publishingTerm.ts";
import { toAuditEntry } from "../sql/rows.ts";
import { SqlTermReads } from "../sql/termReads.ts";
import { SqlTokenStore } from "../sql/tokenRows.ts";
import { SqlUserStore } from "../sql/userRows.ts";
import type { OpenOptions, Stores } from "../stores.ts";
import type { PublishingTerm, TermReads, TermRecord, TermStore, TermToRecord } from "../termStore.ts";
import { pgBulk } from "./pgBulk.ts";
import { pgFailure } from "./pgFailure.ts";
import { hasSchema, migrate } from "./pgMigrations.ts";
import { PgRunner } from "./pgRunner.ts";

/** Only one publish at a time in a database: a second waits for the first to commit or roll back. */
const PUBLISH_LOCK = 0x65776970;

/** The URL as messages may show it: everything but the password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "";
    return parsed.toString();
  } catch {
    return "postgres://(unreadable URL)";
  }
}

/**
 * A state deployment's store: one PostgreSQL database shared by every `ewis serve` and the
 * term run. Each request reads one REPEATABLE READ snapshot; a publish is one transaction that
 * readers never see half of; the audit trail is its own table, written outside any publish.
 */
export async function openPostgresStores(url: string, options: OpenOptions = {}): Promise<Stores> {
  const location = withoutPassword(url);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection that drops (a server restart) must not crash the process.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      if (!(await hasSchema(client))) {
        if (options.mustExist) throw new EwisError("invalid_argument", "no ewis store in that database; publish a term with `ewis run-term` first", { file: location });
      }
      await migrate(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw pgFailure(error, location, "opening the store");
  }
  const runner = new PgRunner(pool);
  return {
    terms: new PostgresTermStore(pool, location),
    tokens: new SqlTokenStore(runner),
    users: new SqlUserStore(runner),
    audit: new PostgresAuditTrail(runner, location),
    location,
    async startNewAuditTrail() {
      throw new EwisError("invalid_argument", "the PostgreSQL store keeps its audit trail in the database itself; there is no separate trail to lose or begin again");
    },
    async close() {
      await pool.end();
    },
  };
}

class PostgresTermStore extends SqlTermReads implements TermStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {
    super(new PgRunner(pool));
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
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query(commit ? "COMMIT" : "ROLLBACK");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw pgFailure(error, this.location, doing, outcome);
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
      await this.sql.run("INSERT INTO audit (at, token_id, token_name, role, route, term_id, students, student_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        e.at, e.token_id, e.token_name, e.role, e.route, e.term_id, JSON.stringify(e.students), e.students.length,
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
