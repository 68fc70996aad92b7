import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse } from "csv-parse";
import { EwisError } from "../core/index.ts";
import { Utf8CheckStream } from "./utf8Decoder.ts";

/**
 * A CSV file as a stream of records with their physical line numbers: file → SHA-256 and UTF-8
 * check → csv-parse. Shared by the whole-file read and the readers of one byte range each.
 */

/** Called every `PROGRESS_EVERY` rows while a file is read, for a progress bar. */
export type ReadProgress = (progress: { rows: number; bytes: number }) => void;
const PROGRESS_EVERY = 20_000;

export interface RecordSink {
  /** `cells` as parsed; `raw` is csv-parse's raw text (see `LineCursor`). */
  onRecord(cells: string[], raw: string): void;
  /** Its `nextLine` is where a record left unfinished by a CSV error starts. */
  readonly cursor: LineCursor;
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
  const parser = parse({
    bom: range === undefined || range.start === 0,
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
    const bytes = createReadStream(file, { highWaterMark: 1 << 20, start: range?.start, end: range === undefined ? undefined : range.end - 1 });
    await pipeline(bytes, check, parser, consumer, { signal: stop });
  } catch (error) {
    if (stop?.aborted) return undefined;
    throw asFileError(file, error, sink.cursor.nextLine);
  }
  return { sha256: range === undefined ? check.digest() : "", lineBreaks: check.lines };
}

/** Which bytes to read (`end` exclusive; a range starts at a line), when to stop, whom to tell. */
export interface StreamOptions {
  stop?: AbortSignal;
  onProgress?: ReadProgress;
  range?: { start: number; end: number };
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
export class LineCursor {
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

export function isSpace(code: number): boolean {
  return code <= 32 || code === 0xa0 || code === 0xfeff;
}

