/**
 * The little both stores' SQL needs from a connection: rows as objects, rows as arrays (a risk
 * list page is hundreds of rows, and keyed objects were most of its time), and a write's count.
 * Queries are written once, with `?` placeholders, in the SQL SQLite and PostgreSQL share.
 */
export type Row = Record<string, unknown>;

export interface SqlRunner {
  rows(sql: string, values?: readonly unknown[]): Promise<Row[]>;
  arrays(sql: string, values?: readonly unknown[]): Promise<unknown[][]>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(sql: string, values?: readonly unknown[]): Promise<number>;
}

export async function firstRow(runner: SqlRunner, sql: string, values: readonly unknown[] = []): Promise<Row | undefined> {
  return (await runner.rows(sql, values))[0];
}
