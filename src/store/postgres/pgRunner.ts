import { createHash } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import type { Row, SqlRunner } from "../sql/sqlRunner.ts";

/** The shared SQL's `?` placeholders as PostgreSQL's `$1, $2, …`, worked out once a statement. */
const translated = new Map<string, { text: string; name: string }>();

function statementOf(sql: string): { text: string; name: string } {
  let statement = translated.get(sql);
  if (!statement) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    // Named, so each connection parses and plans a shape once: the API runs a few shapes again and again.
    statement = { text, name: `ewis_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` };
    if (translated.size >= 500) translated.clear();
    translated.set(sql, statement);
  }
  return statement;
}

/**
 * `SqlRunner` over a pooled connection (inside a transaction) or the pool itself (one
 * statement each). `failure` turns a failed statement into the store's own error; inside a
 * transaction the transaction does that, saying what it was doing.
 */
export class PgRunner implements SqlRunner {
  constructor(
    private readonly on: Pool | PoolClient,
    private readonly failure: (error: unknown) => unknown = (error) => error,
  ) {}

  private async query(sql: string, values: readonly unknown[], rowMode?: "array") {
    try {
      return await this.on.query({ ...statementOf(sql), values: values as unknown[], ...(rowMode ? { rowMode } : {}) });
    } catch (error) {
      throw this.failure(error);
    }
  }

  async rows(sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    return (await this.query(sql, values)).rows as Row[];
  }

  async arrays(sql: string, values: readonly unknown[] = []): Promise<unknown[][]> {
    return (await this.query(sql, values, "array")).rows as unknown[][];
  }

  async run(sql: string, values: readonly unknown[] = []): Promise<number> {
    return (await this.query(sql, values)).rowCount ?? 0;
  }
}
