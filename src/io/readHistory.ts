import { open, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { parse } from "csv-parse/sync";
import { EwisError, HistoryTable, joinChunks, type HistoryChunk } from "../core/index.ts";
import { LineCursor, streamRecords } from "./csvRecords.ts";
import { hashFile } from "./fileHash.ts";
import { HistoryChunkReader, type ChunkRead } from "./historyChunkReader.ts";
import type { RangeResult, RangeTask } from "./historyRange.ts";
import type { Reject } from "./rejectsFile.ts";

export { writeRejects, type Reject } from "./rejectsFile.ts";
export { wholeRowColumn } from "./historyChunkReader.ts";

/**
 * Reads a student-year history CSV (`docs/data-contract.md`) as a stream and validates
 * every row against `studentYearSchema`.
 *
 * Throws `EwisError`, with the file, the line and, where there is one, the column in its context:
 * - `invalid_file` — not UTF-8, a NUL byte (binary), broken CSV quoting, a record over 1 MB, an
 *   empty file, a duplicated header name, lines ended by CR alone, or the file cannot be opened;
 * - `missing_column` — the header lacks required columns (all of them are named; a header
 *   separated by `;` or a file without a header is said to be so).
 *
 * Bad rows are not errors: each problem becomes a `Reject` and every other row goes on, so
 * `read === accepted + rejected`. Cells are taken exactly as written: an empty cell is blank
 * (`undefined` for the schema), and a cell with leading or trailing whitespace (any Unicode
 * space, a control or a zero-width character) is rejected with its own reason rather than
 * trimmed, since `"D1 "` and `"D1"` would silently become two districts.
 *
 * A large file is read by one worker thread per core, each from a line near its share of the
 * bytes. A cut inside a quoted field, or any error, sends the read back to one thread from the
 * start, which then names the exact line; the result is the same either way.
 */
export interface HistoryReadResult {
  /** Accepted rows, as columns grouped by student. */
  table: HistoryTable;
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
  /** Threads that read the file (1 when it was read in one piece). */
  readers: number;
}

/** The column named by a duplicate `(student_id, school_year)` reject; its value is `id,year`. */
export const duplicateKeyColumn = "student_id,school_year";

/** Below this a file is read on one thread: starting a worker costs more than it saves. */
const PARALLEL_FROM_BYTES = 16 << 20;
const MAX_READERS = 8;

export interface ReadHistoryOptions {
  /** Called with the bytes read so far, for a progress bar. */
  onProgress?: (progress: { bytes: number }) => void;
  /** Threads to read with; by default one per core for a file of `PARALLEL_FROM_BYTES` or more. */
  readers?: number;
}

export async function readHistory(file: string, options: ReadHistoryOptions = {}): Promise<HistoryReadResult> {
  const size = await fileSize(file);
  const readers = options.readers ?? (size >= PARALLEL_FROM_BYTES ? Math.min(availableParallelism(), MAX_READERS) : 1);
  if (readers > 1) {
    const tasks = await rangesOf(file, size, readers);
    if (tasks) {
      const [parts, sha256] = await Promise.all([readRanges(tasks, options.onProgress), hashFile(file)]);
      if (parts) return settle(file, parts, sha256, tasks.length);
    }
  }
  const reader = new HistoryChunkReader(file);
  const streamed = await streamRecords(file, reader, { onProgress: options.onProgress });
  if (!streamed) throw new Error("a whole-file read was stopped");
  return settle(file, [{ read: reader.finish(), lineBreaks: streamed.lineBreaks }], streamed.sha256, 1);
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw new EwisError("invalid_file", `${file} cannot be read: ${(error as Error).message}`, { file });
  }
}

/**
 * Byte ranges that start right after an LF, or `undefined` when the file is not cut so simply
 * (a header with quotes, lines too long to find a break near a cut).
 */
async function rangesOf(file: string, size: number, count: number): Promise<RangeTask[] | undefined> {
  const handle = await open(file);
  try {
    const probe = Buffer.alloc(1 << 16);
    const firstBytes = probe.subarray(0, (await handle.read(probe, 0, probe.length, 0)).bytesRead);
    const headerEnd = firstBytes.indexOf(10) + 1;
    if (headerEnd === 0 || firstBytes.subarray(0, headerEnd).includes(34)) return undefined;
    const header = (parse(firstBytes.subarray(0, headerEnd), { bom: true, record_delimiter: ["\r\n", "\n"] }) as string[][])[0];
    const cuts = [0];
    for (let k = 1; k < count; k++) {
      const from = Math.floor((size * k) / count);
      const near = probe.subarray(0, (await handle.read(probe, 0, probe.length, from)).bytesRead);
      const lf = near.indexOf(10);
      const cut = from + lf + 1;
      if (lf < 0 || cut <= Math.max(headerEnd, cuts[cuts.length - 1]) || cut >= size) return undefined;
      cuts.push(cut);
    }
    cuts.push(size);
    return cuts.slice(0, -1).map((start, k) => ({ file, start, end: cuts[k + 1], header: k === 0 ? undefined : header }));
  } finally {
    await handle.close();
  }
}

type WorkerMessage = { kind: "progress"; bytes: number } | { kind: "done"; result: RangeResult } | { kind: "failed"; message: string };

/** Every range on its own worker; `undefined` when any of them failed (the caller reads again on one thread). */
async function readRanges(tasks: RangeTask[], onProgress?: ReadHistoryOptions["onProgress"]): Promise<RangeResult[] | undefined> {
  let bytes = 0;
  const workers = tasks.map((task) => new Worker(new URL("./historyWorker.js", import.meta.url), { workerData: task }));
  const results = workers.map(
    (worker) =>
      new Promise<RangeResult | undefined>((resolve) => {
        worker.on("message", (message: WorkerMessage) => {
          if (message.kind === "progress") {
            bytes += message.bytes;
            onProgress?.({ bytes });
          } else resolve(message.kind === "done" ? message.result : undefined);
        });
        worker.on("error", () => resolve(undefined));
        worker.on("exit", () => resolve(undefined));
      }),
  );
  try {
    const parts = await Promise.all(results);
    return parts.every((p) => p !== undefined) ? (parts as RangeResult[]) : undefined;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Lines made absolute, ranges joined, repeated keys rejected, counts checked. */
async function settle(file: string, parts: RangeResult[], sha256: string, readers: number): Promise<HistoryReadResult> {
  const first = parts[0].read;
  if (first.header === undefined) throw new EwisError("invalid_file", `${file} is empty: no header row`, { file });
  let lineOffset = 0;
  const reads: ChunkRead[] = [];
  for (const { read, lineBreaks } of parts) {
    if (lineOffset > 0) {
      for (const reject of read.rejects) reject.line += lineOffset;
      for (const key of read.rejectedKeys) key.line += lineOffset;
      for (let i = 0; i < read.chunk.rows; i++) read.chunk.line[i] += lineOffset;
    }
    lineOffset += lineBreaks;
    reads.push(read);
  }
  let table = new HistoryTable(joinChunks(reads.map((r) => r.chunk)));
  for (const r of reads) r.chunk = undefined as unknown as HistoryChunk; // let the ranges' columns go
  const read = reads.reduce((sum, r) => sum + r.read, 0);
  let rejected = reads.reduce((sum, r) => sum + r.rejected, 0);
  const rejects = reads.flatMap((r) => r.rejects);

  const duplicates = repeatedKeys(table, reads.flatMap((r) => r.rejectedKeys));
  if (duplicates.size > 0) {
    const texts = await recordTexts(file, duplicates, sha256);
    const lines = new Set<number>();
    for (const [key, keyLines] of duplicates) {
      for (const line of keyLines) {
        lines.add(line);
        const others = keyLines.filter((l) => l !== line);
        rejects.push({
          line,
          column: duplicateKeyColumn,
          value: key,
          reason: `duplicate of line${others.length > 1 ? "s" : ""} ${others.join(", ")} (same student_id and school_year)`,
          record: texts.get(line) ?? "",
        });
      }
    }
    const before = table.rowCount;
    const { line } = table.chunk;
    table = table.without((i) => lines.has(line[i]));
    rejected += before - table.rowCount;
  }
  rejects.sort((a, b) => a.line - b.line);
  const accepted = table.rowCount;
  if (accepted + rejected !== read) throw new Error(`readHistory lost count: read ${read}, accepted ${accepted}, rejected ${rejected}`);
  return { table, read, accepted, rejected, rejects, warnings: first.warnings, sha256, readers };
}

/**
 * `id,year` → every line holding it, for keys held more than once. Only rows whose student_id
 * and school_year are valid take part (accepted rows and the rejected rows in `rejectedKeys`):
 * a garbled key is nobody's duplicate.
 */
function repeatedKeys(table: HistoryTable, rejectedKeys: ChunkRead["rejectedKeys"]): Map<string, number[]> {
  const { chunk } = table;
  const linesByKey = new Map<string, number[]>();
  const add = (key: string, line: number) => {
    const lines = linesByKey.get(key);
    if (lines) lines.push(line);
    else linesByKey.set(key, [line]);
  };
  for (let s = 0; s < table.studentCount; s++) {
    const rows = table.rowsOf(s);
    for (let a = 1; a < rows.length; a++) {
      if (chunk.year[rows[a]] !== chunk.year[rows[a - 1]]) continue;
      const key = `${chunk.students[s]},${chunk.year[rows[a]]}`;
      if (!linesByKey.has(key)) add(key, chunk.line[rows[a - 1]]);
      add(key, chunk.line[rows[a]]);
    }
  }
  if (rejectedKeys.length > 0) {
    const codes = new Map(chunk.students.map((id, s) => [id, s]));
    for (const { studentId, year, line } of rejectedKeys) {
      const key = `${studentId},${year}`;
      const s = codes.get(studentId);
      if (!linesByKey.has(key) && s !== undefined) {
        for (const i of table.rowsOf(s)) if (chunk.year[i] === year) add(key, chunk.line[i]);
      }
      add(key, line);
    }
  }
  const repeated = new Map<string, number[]>();
  for (const [key, lines] of linesByKey) if (lines.length > 1) repeated.set(key, lines.sort((a, b) => a - b));
  return repeated;
}

/**
 * The text of each duplicated row, read again from the file (holding every row's text would
 * hold the file in memory), up to the last such row. Each row found must still hold its key,
 * and a full second read must give the same SHA-256, or the file changed under us.
 */
async function recordTexts(file: string, duplicates: Map<string, number[]>, sha256: string): Promise<Map<number, string>> {
  const wanted = new Map<number, string>(); // line → key
  for (const [key, lines] of duplicates) for (const line of lines) wanted.set(line, key);
  const texts = new Map<number, string>();
  const cursor = new LineCursor();
  const done = new AbortController();
  let header = true;
  let cellIndex: { id: number; year: number } = { id: -1, year: -1 };
  let changed = false;
  const again = await streamRecords(
    file,
    {
      cursor,
      onRecord(cells, raw) {
        cursor.advance(raw, cells);
        if (header) {
          header = false;
          cellIndex = { id: cells.indexOf("student_id"), year: cells.indexOf("school_year") };
          return;
        }
        const key = wanted.get(cursor.line);
        if (key === undefined) return;
        const id = cells[cellIndex.id];
        const year = cells[cellIndex.year];
        if (id === undefined || year === undefined || `${id},${Number(year)}` !== key) changed = true;
        texts.set(cursor.line, raw.slice(0, cursor.bodyEnd));
        if (changed || texts.size === wanted.size) done.abort();
      },
    },
    { stop: done.signal },
  );
  if (changed || (again !== undefined && again.sha256 !== sha256)) {
    throw new EwisError("invalid_file", `${file} changed while it was being read`, { file });
  }
  return texts;
}
