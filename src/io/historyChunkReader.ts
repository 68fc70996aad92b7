import { appendPlainRow, EwisError, HistoryChunkBuilder, requiredColumns, studentYearColumns, studentYearSchema, type HistoryChunk } from "../core/index.ts";
import { isSpace, LineCursor, type RecordSink } from "./csvRecords.ts";
import type { Reject } from "./rejectsFile.ts";

/** The column named by a reject about the row as a whole (wrong number of fields). */
export const wholeRowColumn = "(row)";

/** The part of a zod issue a reject needs. */
interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** What one reader made of its records; lines count from the first line of its range. */
export interface ChunkRead {
  chunk: HistoryChunk;
  /** Data rows read (not the header). */
  read: number;
  rejected: number;
  rejects: Reject[];
  /** Rejected rows whose student_id and school_year are valid: they can still repeat a key. */
  rejectedKeys: { studentId: string; year: number; line: number }[];
  warnings: string[];
  header: string[] | undefined;
}

const columnCount = studentYearColumns.length;
const studentIdColumn = studentYearColumns.indexOf("student_id");
const schoolYearColumn = studentYearColumns.indexOf("school_year");

/**
 * Validates records into columns. Plain valid rows take the fast path (`appendPlainRow`); every
 * other row goes through `studentYearSchema`, whose issues become rejects, one per problem
 * cell, or is accepted as the schema parsed it. A range after the first is given the header.
 */
export class HistoryChunkReader implements RecordSink {
  readonly cursor = new LineCursor();
  private header: string[] | undefined;
  /** For each contract column, its index in the file's cells, or -1 when the file lacks it. */
  private readonly cellIndex = new Int32Array(columnCount).fill(-1);
  private read = 0;
  private rejected = 0;
  private readonly builder = new HistoryChunkBuilder();
  private readonly rejects: Reject[] = [];
  private readonly rejectedKeys: ChunkRead["rejectedKeys"] = [];
  private readonly warnings: string[] = [];
  /**
   * One input object reused for every row the schema judges: zod builds a new output and keeps
   * no reference to its input.
   */
  private readonly input: Record<string, string | undefined> = Object.fromEntries(studentYearColumns.map((c) => [c, undefined]));

  constructor(
    private readonly file: string,
    header?: string[],
  ) {
    if (header) this.useHeader(header);
  }

  onRecord(cells: string[], raw: string): void {
    const cursor = this.cursor;
    cursor.advance(raw);
    if (this.header === undefined) {
      this.readHeader(cells, cursor.line);
      return;
    }
    this.read++;
    const line = cursor.line;
    if (cells.length !== this.header.length) {
      this.rejected++;
      this.rejects.push({
        line,
        column: wholeRowColumn,
        value: String(cells.length),
        reason: `row has ${cells.length} fields but the header has ${this.header.length}`,
        record: raw.slice(cursor.bodyStart, cursor.bodyEnd),
      });
      return;
    }
    if (appendPlainRow(this.builder, cells, this.cellIndex, line)) return;

    const input = this.input;
    let spaced = 0; // bit c set: column c has surrounding whitespace
    for (let c = 0; c < columnCount; c++) {
      const at = this.cellIndex[c];
      let value: string | undefined;
      if (at >= 0) {
        const cell = cells[at];
        if (cell.length > 0) {
          value = cell;
          if (isSpace(cell.charCodeAt(0)) || isSpace(cell.charCodeAt(cell.length - 1))) spaced |= 1 << c;
        }
      }
      input[studentYearColumns[c]] = value;
    }
    const result = studentYearSchema.safeParse(input);
    if (result.success && spaced === 0) {
      this.builder.appendRow(result.data, line);
      return;
    }
    this.rejected++;
    if (this.rejectRow(cells, raw, line, spaced, result.success ? [] : result.error.issues)) {
      const studentId = cells[this.cellIndex[studentIdColumn]];
      // A valid cell: `02024` and `2024` are one year.
      this.rejectedKeys.push({ studentId, year: Number(cells[this.cellIndex[schoolYearColumn]]), line });
    }
  }

  finish(): ChunkRead {
    return {
      chunk: this.builder.finish(),
      read: this.read,
      rejected: this.rejected,
      rejects: this.rejects,
      rejectedKeys: this.rejectedKeys,
      warnings: this.warnings,
      header: this.header,
    };
  }

  /** Records one reject per problem; returns whether student_id and school_year were valid. */
  private rejectRow(cells: string[], raw: string, line: number, spaced: number, issues: readonly Issue[]): boolean {
    const record = raw.slice(this.cursor.bodyStart, this.cursor.bodyEnd);
    let keyIsValid = (spaced & ((1 << studentIdColumn) | (1 << schoolYearColumn))) === 0;
    for (let c = 0; c < columnCount; c++) {
      if ((spaced & (1 << c)) === 0) continue;
      const column = studentYearColumns[c];
      const value = cells[this.cellIndex[c]];
      const reason = value.trim() === "" ? `${column} is only whitespace (leave it empty for a blank)` : `${column} has leading or trailing whitespace`;
      this.rejects.push({ line, column, value, reason, record });
    }
    // One reject per cell: zod may add a second issue for a cell that already failed (a date
    // that is not YYYY-MM-DD is also "not a real calendar date"); the first says it.
    let told = spaced;
    for (const issue of issues) {
      const column = issue.path.length > 0 ? String(issue.path[0]) : wholeRowColumn;
      const c = studentYearColumns.indexOf(column as (typeof studentYearColumns)[number]);
      if (c >= 0) {
        if ((told & (1 << c)) !== 0) continue;
        told |= 1 << c;
      }
      if (c === studentIdColumn || c === schoolYearColumn) keyIsValid = false;
      const value = c >= 0 && this.cellIndex[c] >= 0 ? cells[this.cellIndex[c]] : "";
      const reason = value === "" && issue.code === "invalid_type" ? `${column} is required but blank` : `${column} ${issue.message}`;
      this.rejects.push({ line, column, value, reason, record });
    }
    return keyIsValid;
  }

  private readHeader(names: string[], line: number): void {
    const { file } = this;
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const name of names) (seen.has(name) ? repeated : seen).add(name);
    if (repeated.size > 0) {
      const list = [...repeated].map((n) => JSON.stringify(n)).join(", ");
      throw new EwisError("invalid_file", `${file}: the header names a column more than once: ${list}`, { file, line });
    }
    const missing = requiredColumns.filter((name) => !seen.has(name));
    if (missing.length > 0) {
      const near = missing
        .map((name) => names.find((n) => n.trim().toLowerCase() === name && n !== name))
        .filter((n) => n !== undefined)
        .map((n) => JSON.stringify(n));
      const hint = near.length > 0 ? ` (column names are exact; found ${near.join(", ")})` : "";
      throw new EwisError(
        "missing_column",
        `${file} is missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}${hint}`,
        { file, line, column: missing.join(",") },
      );
    }
    this.useHeader(names);
    const known = new Set<string>(studentYearColumns);
    const extra = names.filter((name) => !known.has(name));
    if (extra.length > 0) {
      this.warnings.push(`${file}: ignoring ${extra.length} extra column${extra.length > 1 ? "s" : ""}: ${extra.map((n) => JSON.stringify(n)).join(", ")}`);
    }
  }

  private useHeader(names: string[]): void {
    for (let c = 0; c < columnCount; c++) this.cellIndex[c] = names.indexOf(studentYearColumns[c]);
    this.header = names;
  }
}
