/**
 * The fast path for CSV without quotes. A state's export rarely quotes anything (ids, codes,
 * dates and counts), and on such text csv-parse's character-by-character state machine is most
 * of a read: ~7 of a reader's 12 s on the 1M-student state. Without a quote a record is a line
 * and a field is the text between commas, so splitting the decoded text is the same parse.
 *
 * `PlainCsv` gives exactly what `csv-parse` gives under csvRecords.ts's options for such text
 * (record delimiters LF and CRLF, a lone CR is data, blank lines kept, `raw`, `bom`): each record
 * with its raw text, the record's own text followed by the first character of the line break
 * that ended it. test/unit/io/plainCsv.test.ts checks it against csv-parse on generated text.
 * It is used only where `isPlainCsv` found no quote and no line near csv-parse's record limit:
 * everything else, including every broken quote, goes through csv-parse and its errors.
 */
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { Transform, type TransformCallback } from "node:stream";

/** Bytes per read of the scan: under the record limit, so a line within one block is within it too. */
const BLOCK = 512 * 1024;

/**
 * Whether bytes [start, end) of the file hold no double quote and no line of `maxLine` bytes or
 * more (csv-parse counts characters, and a character is at least a byte, so a shorter line is
 * within its limit). Reads the range once; on a state's file that is a fraction of a second
 * against the seconds the fast path saves.
 */
export async function isPlainCsv(file: string, start: number, end: number, maxLine: number): Promise<boolean> {
  if (maxLine <= BLOCK) throw new RangeError(`maxLine must exceed the scan's block of ${BLOCK} bytes`);
  const handle = await open(file, "r");
  try {
    const block = Buffer.allocUnsafe(BLOCK);
    let sinceLf = 0;
    for (let at = start; at < end; ) {
      const { bytesRead } = await handle.read(block, 0, Math.min(BLOCK, end - at), at);
      if (bytesRead === 0) break;
      const bytes = block.subarray(0, bytesRead);
      if (bytes.includes(34)) return false;
      const first = bytes.indexOf(10);
      if (first < 0) sinceLf += bytesRead;
      else {
        if (sinceLf + first >= maxLine) return false;
        sinceLf = bytesRead - bytes.lastIndexOf(10) - 1;
      }
      if (sinceLf >= maxLine) return false;
      at += bytesRead;
    }
    return true;
  } finally {
    await handle.close();
  }
}

/** Bytes in, `{ record, raw }` objects out, as csv-parse's `raw: true` emits them. */
export class PlainCsv extends Transform {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private started = false;

  constructor(private readonly bom: boolean) {
    super({ readableObjectMode: true, readableHighWaterMark: 4096 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.lines(this.decoder.write(chunk));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.lines(this.decoder.end());
    const last = this.pending;
    // A last line without a line break: its raw text is all it has, a trailing CR included.
    if (last.length > 0) this.push({ record: last.split(","), raw: last });
    this.pending = "";
    callback();
  }

  private lines(decoded: string): void {
    let text = this.pending + decoded;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (this.bom && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let from = 0;
    for (let lf = text.indexOf("\n"); lf !== -1; lf = text.indexOf("\n", from)) {
      // CRLF ends the record at its CR; a CR before that one is the last field's data.
      const crlf = lf > from && text.charCodeAt(lf - 1) === 13;
      const body = text.slice(from, crlf ? lf - 1 : lf);
      this.push({ record: body.split(","), raw: crlf ? `${body}\r` : `${body}\n` });
      from = lf + 1;
    }
    this.pending = text.slice(from);
  }
}
