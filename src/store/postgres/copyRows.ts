import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";

/**
 * Rows into a table by `COPY … FROM STDIN` in PostgreSQL's text format: the server's bulk
 * path, with no statement to parse per batch and no array literals to build and take apart.
 * A value is written as PostgreSQL reads it back: numbers as JavaScript prints them (the
 * shortest text that reads back to the same double), text escaped, a Buffer as bytea's hex.
 */
export async function copyRows<T>(client: PoolClient, table: string, columns: readonly string[], rows: Iterable<T>, values: (row: T) => unknown[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
  await pipeline(Readable.from(lines(rows, values)), stream);
}

/** Lines in chunks of about 64 KiB: one write a chunk, not one a row. */
function* lines<T>(rows: Iterable<T>, values: (row: T) => unknown[]): Generator<string> {
  let chunk = "";
  for (const row of rows) {
    const fields = values(row);
    let line = "";
    for (let k = 0; k < fields.length; k++) line += (k === 0 ? "" : "\t") + field(fields[k]);
    chunk += `${line}\n`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
}

const special = /[\\\t\n\r]/;

function field(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot store ${value} in a number column`);
    return String(value);
  }
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString("hex")}`;
  const text = String(value);
  return special.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : text;
}
