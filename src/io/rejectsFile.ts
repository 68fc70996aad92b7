import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { startsFormula } from "./csvCell.ts";
import { writeStreamAtomic } from "./atomicWrite.ts";

/** One problem with one data row. A row with two bad cells gives two rejects. */
export interface Reject {
  /** 1-based physical line where the row starts (the header is line 1). */
  line: number;
  /** The column at fault, or `(row)` for the row as a whole (wrong number of fields). */
  column: string;
  /** The cell as read (unquoted, untrimmed; `""` if blank); for `(row)`, the row's field count. */
  value: string;
  /** A sentence that starts with the column name, e.g. `ela_scaled must be between 440 and 560`. */
  reason: string;
  /** The row's CSV text as it stood in the file (without its line ending), so nothing is lost. */
  record: string;
}

export const rejectColumns = ["line", "column", "value", "reason", "record"] as const;

/**
 * Writes rejects as CSV with the header `line,column,value,reason,record`; fields are quoted
 * when they hold a comma, quote or line break, so the file parses back to the same strings.
 * Always written, header only when nothing was rejected, so a stale file from an earlier run
 * never stands beside a clean one.
 */
export async function writeRejects(file: string, rejects: readonly Reject[]): Promise<void> {
  await writeStreamAtomic(file, (out) =>
    pipeline(Readable.from(rejects), stringify({ header: true, columns: [...rejectColumns], cast: { string: (value) => (startsFormula(value) ? `'${value}` : value) } }), out, { end: false }),
  );
}
