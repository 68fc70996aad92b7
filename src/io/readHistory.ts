import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse } from "csv-parse";
import { EwisError, requiredColumns, studentYearColumns, studentYearSchema, type StudentYear } from "../core/index.ts";
import type { Reject } from "./rejectsFile.ts";
import { Utf8CheckStream } from "./utf8Decoder.ts";

export { writeRejects, type Reject } from "./rejectsFile.ts";

/**
 * Reads a student-year history CSV (`shared/spec/student-year.md`) as a stream and validates
 * every row against `studentYearSchema`.
 *
 * Throws `EwisError`:
 * - `invalid_file` — not UTF-8, a NUL byte (binary), broken CSV quoting, an empty file, a
 *   duplicated header name, or the file cannot be opened;
 * - `missing_column` — the header lacks required columns (all of them are named).
 *
 * Bad rows are not errors: each problem becomes a `Reject` and every other row goes on, so
 * `read === accepted + rejected`. Cells are taken exactly as written: an empty cell is blank
 * (`undefined` for the schema), and a cell with leading or trailing whitespace (space, tab, CR,
 * no-break space) is rejected with its own reason rather than trimmed, since `"D1 "` and `"D1"`
 * would silently become two districts.
 */
export interface HistoryReadResult {
  /** Accepted rows, in file order. */
  rows: StudentYear[];
  /** Data rows read (not the header); always `accepted + rejected`. */
  read: number;
  accepted: number;
  /** Rows rejected; a row with several problems counts once here and has several rejects. */
  rejected: number;
  /** One per problem, ordered by line. */
  rejects: Reject[];
  warnings: string[];
  /** Hex SHA-256 of the file's bytes: the data fingerprint stored in model files. */
  sha256: string;
}

/** The column named by a duplicate `(student_id, school_year)` reject; its value is `id,year`. */
export const duplicateKeyColumn = "student_id,school_year";
/** The column named by a reject about the row as a whole (wrong number of fields). */
export const wholeRowColumn = "(row)";

/** Called every `PROGRESS_EVERY` rows while a file is read, for a progress bar. */
export type ReadProgress = (progress: { rows: number; bytes: number }) => void;
const PROGRESS_EVERY = 20_000;

export async function readHistory(file: string, options: { onProgress?: ReadProgress } = {}): Promise<HistoryReadResult> {
  const reader = new HistoryReader(file);
  const sha256 = await streamRecords(file, reader, undefined, options.onProgress);
  return reader.finish(sha256 as string); // a string: this read is never stopped early
}

// ---------------------------------------------------------------------------------------------
// Streaming

interface RecordSink {
  /** `cells` as parsed; `raw` is csv-parse's raw text (see `LineCursor`). */
  onRecord(cells: string[], raw: string): void;
  /** Its `nextLine` is where a record left unfinished by a CSV error starts. */
  readonly cursor: LineCursor;
}

/** The part of a zod issue a reject needs. */
interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

interface RawRecord {
  record: string[];
  raw: string;
}

/**
 * file → SHA-256 + UTF-8 check → csv-parse → sink. Resolves to the file's SHA-256, or to
 * `undefined` when `stop` was aborted (by the sink, which has read all it wanted).
 */
async function streamRecords(file: string, sink: RecordSink, stop?: AbortSignal, onProgress?: ReadProgress): Promise<string | undefined> {
  let records = 0;
  const check = new Utf8CheckStream(file);
  const parser = parse({
    bom: true,
    // LF and CRLF, also mixed in one file; a lone CR is data.
    record_delimiter: ["\r\n", "\n"],
    relax_column_count: true,
    skip_empty_lines: true,
    raw: true,
    // `info: true` is not used: its `lines` counts a CRLF inside a quoted field as two lines.
    // A runaway record (an unclosed quote) fails here instead of swallowing the file.
    max_record_size: 1_000_000,
  });
  const consumer = new Writable({
    objectMode: true,
    highWaterMark: 4096,
    write(chunk: RawRecord, _encoding, callback) {
      try {
        sink.onRecord(chunk.record, chunk.raw);
        if (onProgress && ++records % PROGRESS_EVERY === 0) onProgress({ rows: records, bytes: check.bytes });
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback();
    },
  });
  try {
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), check, parser, consumer, { signal: stop });
  } catch (error) {
    if (stop?.aborted) return undefined;
    throw asFileError(file, error, sink.cursor.nextLine);
  }
  return check.digest();
}

function asFileError(file: string, error: unknown, recordStart: number): EwisError {
  if (error instanceof EwisError) return error;
  if (error instanceof CsvError) {
    if (error.code === "CSV_QUOTE_NOT_CLOSED" || error.code === "CSV_MAX_RECORD_SIZE") {
      // csv-parse names the line where it gave up, maybe the end of the file; the opening quote
      // is in the record that starts after the last complete one.
      const message = `${file} is not a valid CSV file: ${error.message}; the unfinished record starts at line ${recordStart} (an unclosed quote?)`;
      return new EwisError("invalid_file", message, { file, line: recordStart });
    }
    const line = typeof error.lines === "number" ? error.lines : undefined;
    return new EwisError("invalid_file", `${file} is not a valid CSV file: ${error.message}`, { file, line });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EwisError("invalid_file", `${file} cannot be read: ${message}`, { file });
}

/**
 * Physical line numbers from csv-parse's raw text. csv-parse puts into a record's raw text the
 * blank lines it skipped before it (one CR or LF each) and only the first character of the
 * record delimiter, so: line = blank lines skipped + the line after the previous record, and a
 * record ends after every LF inside it plus its own delimiter.
 */
class LineCursor {
  /** Line of the current record's first character. */
  line = 0;
  /** The record's own text is `raw.slice(bodyStart, bodyEnd)`. */
  bodyStart = 0;
  bodyEnd = 0;
  /** The line after the current record. */
  nextLine = 1;

  advance(raw: string): void {
    const n = raw.length;
    let start = 0;
    while (start < n && isLineEnd(raw.charCodeAt(start))) start++;
    let end = n;
    let delimited = 0;
    if (end > start && isLineEnd(raw.charCodeAt(end - 1))) {
      end--;
      delimited = 1;
    }
    let inner = 0;
    for (let i = raw.indexOf("\n", start); i !== -1 && i < end; i = raw.indexOf("\n", i + 1)) inner++;
    this.line = this.nextLine + start;
    this.nextLine = this.line + inner + delimited;
    this.bodyStart = start;
    this.bodyEnd = end;
  }
}

function isLineEnd(code: number): boolean {
  return code === 10 || code === 13;
}

function isSpace(code: number): boolean {
  return code <= 32 || code === 0xa0 || code === 0xfeff;
}

// ---------------------------------------------------------------------------------------------
// Validation

const columnCount = studentYearColumns.length;
const studentIdColumn = studentYearColumns.indexOf("student_id");
const schoolYearColumn = studentYearColumns.indexOf("school_year");

class HistoryReader implements RecordSink {
  readonly cursor = new LineCursor();
  private header: string[] | undefined;
  /** For each contract column, its index in the file's cells, or -1 when the file lacks it. */
  private readonly cellIndex = new Int32Array(columnCount).fill(-1);
  private read = 0;
  private rejected = 0;
  private readonly rows: StudentYear[] = [];
  /** The line of each accepted row, parallel to `rows`. */
  private readonly rowLines: number[] = [];
  private readonly rejects: Reject[] = [];
  private readonly warnings: string[] = [];
  /**
   * student_id → [year, line of its first row, year, line, …]. Keyed by student, not by
   * `id,year`: a tenth as many entries (V8 caps a Map at 2^24) and no key string built per row.
   */
  private readonly yearsByStudent = new Map<string, number[]>();
  /** `id,year` → every line holding it, once it is seen twice. */
  private readonly duplicates = new Map<string, number[]>();
  /** Text of the rows found to repeat an earlier key (the earlier row's text is gone by then). */
  private readonly duplicateTexts = new Map<number, string>();

  /**
   * One input object reused for every row: zod builds a new output and keeps no reference to
   * its input, and overwriting the same keys costs less than building 25 of them per row.
   */
  private readonly input: Record<string, string | undefined> = Object.fromEntries(studentYearColumns.map((c) => [c, undefined]));

  constructor(private readonly file: string) {}

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
    let keyIsValid: boolean;
    if (result.success && spaced === 0) {
      this.rows.push(result.data);
      this.rowLines.push(line);
      keyIsValid = true;
    } else {
      this.rejected++;
      keyIsValid = this.rejectRow(cells, raw, line, spaced, result.success ? [] : result.error.issues);
    }
    if (keyIsValid && this.noteKey(cells[this.cellIndex[studentIdColumn]], cells[this.cellIndex[schoolYearColumn]], line)) {
      this.duplicateTexts.set(line, raw.slice(cursor.bodyStart, cursor.bodyEnd));
    }
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

  /**
   * Notes the row's key and says whether an earlier row had it. Only rows whose student_id and
   * school_year are valid take part: a garbled key is nobody's duplicate.
   */
  private noteKey(studentId: string, schoolYearCell: string, line: number): boolean {
    const year = Number(schoolYearCell); // a valid cell: `02024` and `2024` are one year
    const seen = this.yearsByStudent.get(studentId);
    if (seen === undefined) {
      this.yearsByStudent.set(studentId, [year, line]);
      return false;
    }
    for (let i = 0; i < seen.length; i += 2) {
      if (seen[i] !== year) continue;
      const key = `${studentId},${year}`;
      const lines = this.duplicates.get(key);
      if (lines === undefined) this.duplicates.set(key, [seen[i + 1], line]);
      else lines.push(line);
      return true;
    }
    seen.push(year, line);
    return false;
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
    for (let c = 0; c < columnCount; c++) this.cellIndex[c] = names.indexOf(studentYearColumns[c]);
    const known = new Set<string>(studentYearColumns);
    const extra = names.filter((name) => !known.has(name));
    if (extra.length > 0) {
      this.warnings.push(`${file}: ignoring ${extra.length} extra column${extra.length > 1 ? "s" : ""}: ${extra.map((n) => JSON.stringify(n)).join(", ")}`);
    }
    this.header = names;
  }

  /** Settles duplicates (which needs every row) and returns the result. */
  async finish(sha256: string): Promise<HistoryReadResult> {
    const { file } = this;
    if (this.header === undefined) {
      throw new EwisError("invalid_file", `${file} is empty: no header row`, { file });
    }
    let rows = this.rows;
    if (this.duplicates.size > 0) rows = await this.rejectDuplicates(sha256);
    const rejects = this.rejects.sort((a, b) => a.line - b.line);
    const accepted = rows.length;
    if (accepted + this.rejected !== this.read) {
      throw new Error(`readHistory lost count: read ${this.read}, accepted ${accepted}, rejected ${this.rejected}`);
    }
    return { rows, read: this.read, accepted, rejected: this.rejected, rejects, warnings: this.warnings, sha256 };
  }

  /**
   * Rejects every row of a repeated `(student_id, school_year)`, naming the other lines. The
   * text of each key's first row was not kept (that would hold the file in memory), so the file
   * is read again up to the last such row; each row found there must still hold its key, and a
   * full second read must give the same SHA-256, or the file changed under us.
   */
  private async rejectDuplicates(sha256: string): Promise<StudentYear[]> {
    const texts = this.duplicateTexts;
    const wanted = new Map<number, string>(); // first line → key
    for (const [key, lines] of this.duplicates) wanted.set(lines[0], key);
    const { cellIndex, file } = this;
    const cursor = new LineCursor();
    const done = new AbortController();
    let found = 0;
    let changed = false;
    const again = await streamRecords(
      file,
      {
        cursor,
        onRecord(cells, raw) {
          cursor.advance(raw);
          const key = wanted.get(cursor.line);
          if (key === undefined) return;
          const id = cells[cellIndex[studentIdColumn]];
          const year = cells[cellIndex[schoolYearColumn]];
          if (id === undefined || year === undefined || `${id},${Number(year)}` !== key) changed = true;
          texts.set(cursor.line, raw.slice(cursor.bodyStart, cursor.bodyEnd));
          if (changed || ++found === wanted.size) done.abort();
        },
      },
      done.signal,
    );
    if (changed || (again !== undefined && again !== sha256)) {
      throw new EwisError("invalid_file", `${file} changed while it was being read`, { file });
    }
    const rejectedLines = new Set<number>();
    for (const [key, lines] of this.duplicates) {
      for (const line of lines) {
        rejectedLines.add(line);
        const others = lines.filter((l) => l !== line);
        this.rejects.push({
          line,
          column: duplicateKeyColumn,
          value: key,
          reason: `duplicate of line${others.length > 1 ? "s" : ""} ${others.join(", ")} (same student_id and school_year)`,
          record: texts.get(line) ?? "",
        });
      }
    }
    const rows: StudentYear[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      if (rejectedLines.has(this.rowLines[i])) this.rejected++;
      else rows.push(this.rows[i]);
    }
    return rows;
  }
}
