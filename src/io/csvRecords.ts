import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse } from "csv-parse";
import { EwisError } from "../core/index.ts";
import { isPlainCsv, PlainCsv } from "./plainCsv.ts";
import { Utf8CheckStream } from "./utf8Decoder.ts";

/**
 * A CSV file as a stream of records with their physical line numbers: file → SHA-256 and UTF-8
 * check → csv-parse (or, for bytes without a quote, plainCsv.ts's split, the same records).
 * Shared by the whole-file read and the readers of one byte range each.
 */

/** Called every `PROGRESS_EVERY` rows while a file is read, for a progress bar. */
export type ReadProgress = (progress: { rows: number; bytes: number }) => void;
const PROGRESS_EVERY = 20_000;

export interface RecordSink {
  /** `cells` as parsed; `raw` is csv-parse's raw text (see `LineCursor`). */
  onRecord(cells: string[], raw: string): void;
  /** Its `nextLine` is where a record left unfinished by a CSV error starts. */
  readonly cursor: LineCursor;
  /** The header's name for field `index`, to name the column of a CSV error. */
  columnName?(index: number): string | undefined;
}

interface RawRecord {
  record: string[];
  raw: string;
}

/**
 * file → SHA-256 + UTF-8 check → csv-parse → sink. Resolves to the file's SHA-256 (empty for a
 * range) and its count of LF bytes, or to `undefined` when `stop` was aborted (by the sink,
 * which has read all it wanted).
 */
export async function streamRecords(file: string, sink: RecordSink, options: StreamOptions = {}): Promise<{ sha256: string; lineBreaks: number } | undefined> {
  const { stop, onProgress, range } = options;
  let records = 0;
  const check = new Utf8CheckStream(file, { hash: range === undefined });
  const bom = range === undefined || range.start === 0;
  const parser = (await plainText(file, range)) ? new PlainCsv(bom) : csvParser(bom);
  const consumer = new Writable({
    objectMode: true,
    highWaterMark: 4096,
    write(chunk: RawRecord, _encoding, callback) {
      try {
        if (isBlankLine(chunk)) sink.cursor.advance(chunk.raw, chunk.record);
        else sink.onRecord(chunk.record, chunk.raw);
        if (onProgress && ++records % PROGRESS_EVERY === 0) onProgress({ rows: records, bytes: check.bytes });
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback();
    },
  });
  try {
    const bytes = createReadStream(file, { highWaterMark: 1 << 20, start: range?.start, end: range === undefined ? undefined : range.end - 1 });
    await pipeline(bytes, check, parser, consumer, { signal: stop });
  } catch (error) {
    if (stop?.aborted) return undefined;
    const fileError = asFileError(file, error, sink);
    // A range's byte offsets are not the file's; a failed range is read again whole anyway.
    const { failure } = check;
    if (failure === undefined || failure.error !== error || range !== undefined) throw fileError;
    const column = await columnAtByte(file, failure.at);
    throw column instanceof EwisError ? column : new EwisError(fileError.code, fileError.message, { ...fileError.context, column });
  }
  return { sha256: range === undefined ? check.digest() : "", lineBreaks: check.lines };
}

/** Whether the bytes to read can take the fast path (plainCsv.ts): a regular file's, with no quote in them. */
async function plainText(file: string, range: StreamOptions["range"]): Promise<boolean> {
  const found = await stat(file).catch(() => undefined);
  // Not a pipe or a device: the scan reads the bytes once before the parse reads them again.
  if (!found?.isFile()) return false;
  return isPlainCsv(file, range?.start ?? 0, range?.end ?? found.size, MAX_RECORD_CHARS);
}

/** At most this many characters in one record (see `csvParser`). */
const MAX_RECORD_CHARS = 1_000_000;

function csvParser(bom: boolean) {
  return parse({
    bom,
    // LF and CRLF, also mixed in one file; a lone CR is data.
    record_delimiter: ["\r\n", "\n"],
    relax_column_count: true,
    // Blank lines come through as records and are dropped by `isBlankLine`: skipped here, they
    // would start the next record's raw text with a CR that could as well be its data.
    skip_empty_lines: false,
    raw: true,
    // `info: true` is not used: its `lines` counts a CRLF inside a quoted field as two lines.
    // A runaway record (an unclosed quote) fails here instead of swallowing the file.
    max_record_size: MAX_RECORD_CHARS,
  });
}

/**
 * The column of the field that holds byte `at` (one that is not UTF-8): the header's name for
 * it, or `(field n)` when it is in the header. The UTF-8 check runs ahead of the parser, so on
 * this error path only the file is parsed again up to that byte; the record it leaves unfinished
 * is the one holding the byte. Broken CSV before the byte is the file's first problem, and its
 * error is returned instead.
 */
async function columnAtByte(file: string, at: number): Promise<string | EwisError> {
  const sink = new HeaderAndLastRecord();
  try {
    if (at > 0) await pipeline(createReadStream(file, { start: 0, end: at - 1 }), csvParser(true), sink.writable());
  } catch (error) {
    // The byte is inside a quoted field, which the parse up to it leaves open.
    if (error instanceof CsvError && error.code === "CSV_QUOTE_NOT_CLOSED" && typeof error.column === "number") return fieldName(sink.header, error.column);
    return asFileError(file, error, sink);
  }
  const { last } = sink;
  if (last === undefined || last.endsLine) return fieldName(sink.header, 0);
  return fieldName(last.cells === sink.header ? undefined : sink.header, last.cells.length - 1);
}

/** Keeps a file's header and its last record, and whether that record was finished. */
class HeaderAndLastRecord implements RecordSink {
  readonly cursor = new LineCursor();
  header: string[] | undefined;
  last: { cells: string[]; endsLine: boolean } | undefined;

  onRecord(cells: string[], raw: string): void {
    this.cursor.advance(raw, cells);
    this.header ??= cells;
    this.last = { cells, endsLine: this.cursor.bodyEnd < raw.length };
  }

  columnName(index: number): string | undefined {
    return this.header?.[index];
  }

  writable(): Writable {
    return new Writable({
      objectMode: true,
      write: (chunk: RawRecord, _encoding, callback) => {
        if (isBlankLine(chunk)) this.cursor.advance(chunk.raw, chunk.record);
        else this.onRecord(chunk.record, chunk.raw);
        callback();
      },
    });
  }
}

/** The header's name for field `index`, or its position when the header has no name for it. */
function fieldName(header: readonly string[] | undefined, index: number): string {
  return header?.[index] || `(field ${index + 1})`;
}

/** Which bytes to read (`end` exclusive; a range starts at a line), when to stop, whom to tell. */
export interface StreamOptions {
  stop?: AbortSignal;
  onProgress?: ReadProgress;
  range?: { start: number; end: number };
}

function asFileError(file: string, error: unknown, sink: RecordSink): EwisError {
  if (error instanceof EwisError) return error;
  if (error instanceof CsvError) {
    // csv-parse counts fields from 0 in the record it was reading; before the header is read, that is the header.
    const column = typeof error.column === "number" ? sink.columnName?.(error.column) || fieldName(undefined, error.column) : undefined;
    // csv-parse counts a lone CR as a line break; the file's lines are its LFs. Its raw text is
    // the unfinished record up to where it stopped, which starts on the line after the last record.
    const recordStart = sink.cursor.nextLine;
    const line = typeof error.raw === "string" ? recordStart + countLf(error.raw) : undefined;
    const said = line === undefined ? error.message : error.message.replace(/at line \d+/, `at line ${line}`);
    if (error.code === "CSV_QUOTE_NOT_CLOSED" || error.code === "CSV_MAX_RECORD_SIZE") {
      // Where csv-parse gave up may be the end of the file; the opening quote is in the record.
      const why = error.code === "CSV_MAX_RECORD_SIZE" ? `a field of over ${MAX_RECORD_CHARS} characters, or an unclosed quote?` : "an unclosed quote?";
      const message = `${file} is not a valid CSV file: ${said}; the unfinished record starts at line ${recordStart} (${why})`;
      return new EwisError("invalid_file", message, { file, line: recordStart, column });
    }
    return new EwisError("invalid_file", `${file} is not a valid CSV file: ${said}`, { file, line, column });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EwisError("invalid_file", `${file} cannot be read: ${message}`, { file });
}

/**
 * Physical line numbers from csv-parse's raw text: a record's own text followed by the first
 * character of the line break that ended it (the CR of a CRLF), if one did. A record starts on
 * the line after the previous one (blank lines are records too, see `isBlankLine`) and ends
 * after every LF inside it plus its own line break.
 */
export class LineCursor {
  /** Line of the current record's first character. */
  line = 0;
  /** The record's own text is `raw.slice(0, bodyEnd)`. */
  bodyEnd = 0;
  /** The line after the current record. */
  nextLine = 1;

  advance(raw: string, cells: readonly string[]): void {
    const end = endsWithLineBreak(raw, cells) ? raw.length - 1 : raw.length;
    this.line = this.nextLine;
    this.nextLine = this.line + countLf(raw, end) + (end < raw.length ? 1 : 0);
    this.bodyEnd = end;
  }
}

/**
 * Whether the raw text ends with the record's line break. A final LF always is one; a final CR
 * is the start of a CRLF, except at the end of a file without a last line break, where it is the
 * end of the last cell (only an unquoted cell ends its raw text with the cell's own CRs).
 */
function endsWithLineBreak(raw: string, cells: readonly string[]): boolean {
  const n = raw.length;
  const last = raw.charCodeAt(n - 1);
  if (last !== 13) return last === 10;
  const crs = trailingCrs(raw);
  const quoted = crs < n && raw.charCodeAt(n - 1 - crs) === 34;
  return crs > (quoted ? 0 : trailingCrs(cells[cells.length - 1] ?? ""));
}

function trailingCrs(text: string): number {
  let k = 0;
  while (k < text.length && text.charCodeAt(text.length - 1 - k) === 13) k++;
  return k;
}

/** An empty line (LF or CRLF alone): csv-parse gives one empty cell, raw text only its line break. */
function isBlankLine({ record, raw }: RawRecord): boolean {
  return record.length === 1 && record[0] === "" && (raw === "\n" || raw === "\r");
}

function countLf(text: string, end = text.length): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
