import { appendPlainRow, EwisError, HistoryChunkBuilder, hasEdgeSpace, requiredColumns, studentYearColumns, studentYearSchema, type HistoryChunk } from "../core/index.ts";
import { LineCursor, type RecordSink } from "./csvRecords.ts";
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
    cursor.advance(raw, cells);
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
        record: raw.slice(0, cursor.bodyEnd),
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
          if (hasEdgeSpace(cell)) spaced |= 1 << c;
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
    const record = raw.slice(0, this.cursor.bodyEnd);
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

  /** The header's name for field `index` of a record, if the header has been read. */
  columnName(index: number): string | undefined {
    return this.header?.[index];
  }

  private readHeader(names: string[], line: number): void {
    const { file } = this;
    // Lines ended by CR alone are one record to a reader of LF and CRLF: the header would run on
    // into the data and be refused for a reason that has nothing to do with the file.
    const withCr = names.findIndex((n) => n.includes("\r"));
    if (withCr >= 0) {
      const message = `${file}: line ${line} has a carriage return (CR) that does not end the line; lines must end in LF or CRLF, not CR alone`;
      const name = names[withCr].slice(0, names[withCr].indexOf("\r"));
      throw new EwisError("invalid_file", message, { file, line, column: name || `(field ${withCr + 1})` });
    }
    const seen = new Set<string>(names);
    // Missing columns first: a data row taken for the header repeats values ("0", "1") and would
    // otherwise be refused as a header that names a column twice.
    const missing = requiredColumns.filter((name) => !seen.has(name));
    if (missing.length > 0) {
      throw new EwisError(
        "missing_column",
        `${file} is missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}${missingHint(names, missing, line)}`,
        { file, line, column: missing.join(",") },
      );
    }
    const once = new Set<string>();
    const repeated = new Set<string>();
    for (const name of names) (once.has(name) ? repeated : once).add(name);
    if (repeated.size > 0) {
      const list = [...repeated].map((n) => JSON.stringify(n)).join(", ");
      const column = [...repeated].map((n) => n || `(field ${names.lastIndexOf(n) + 1})`).join(",");
      throw new EwisError("invalid_file", `${file}: the header names a column more than once: ${list}`, { file, line, column });
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

/**
 * Why a header lacks required columns, when it can be told: another separator (a spreadsheet
 * saved with `;` in a comma-decimal locale), no header at all, or a name with other case or spaces.
 */
function missingHint(names: string[], missing: readonly string[], line: number): string {
  const separator = [";", "\t", "|"].find((s) => requiredColumns.every((name) => names.some((n) => n.split(s).includes(name))));
  if (separator !== undefined) return ` (the header is separated by ${JSON.stringify(separator)}; ewis reads comma-separated files)`;
  const known = new Set<string>(studentYearColumns);
  if (!names.some((n) => known.has(n.trim().toLowerCase()))) {
    return ` (line ${line} names none of the contract's columns: is the header row missing?)`;
  }
  const near = missing
    .map((name) => names.find((n) => n.trim().toLowerCase() === name && n !== name))
    .filter((n) => n !== undefined)
    .map((n) => JSON.stringify(n));
  return near.length > 0 ? ` (column names are exact; found ${near.join(", ")})` : "";
}
