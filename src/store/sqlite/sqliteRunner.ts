import type Database from "better-sqlite3";
import type { Row, SqlRunner } from "../sql/sqlRunner.ts";

/**
 * `SqlRunner` over one better-sqlite3 connection. Statements are prepared once by their text:
 * the API runs the same few shapes on every request. better-sqlite3 answers synchronously, so
 * each promise is already settled: no other request runs in between.
 */
export class SqliteRunner implements SqlRunner {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly rawStatements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  statement(sql: string, raw = false): Database.Statement {
    const cache = raw ? this.rawStatements : this.statements;
    let statement = cache.get(sql);
    if (!statement) {
      // Filters and scopes combine into many shapes; a cap keeps an odd client from growing this.
      if (cache.size >= 500) cache.clear();
      statement = this.db.prepare(sql);
      if (raw) statement.raw(true);
      cache.set(sql, statement);
    }
    return statement;
  }

  async rows(sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    const statement = this.statement(sql);
    if (statement.reader) return statement.all(...values) as Row[];
    statement.run(...values);
    return [];
  }

  async arrays(sql: string, values: readonly unknown[] = []): Promise<unknown[][]> {
    return this.statement(sql, true).all(...values) as unknown[][];
  }

  async run(sql: string, values: readonly unknown[] = []): Promise<number> {
    return this.statement(sql).run(...values).changes;
  }
}
