import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { EwisError } from "../core/index.ts";

/**
 * The first stage after the file: fingerprints the bytes (SHA-256), proves they are UTF-8 text
 * and passes the same bytes on. The decoded string is thrown away on purpose: csv-parse works on
 * bytes and would encode a string straight back. `TextDecoder` in streaming mode keeps a
 * character that is split across two chunks, so a valid file never fails on a chunk boundary.
 */
export class Utf8CheckStream extends Transform {
  private readonly hash: Hash | undefined;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  /** Bytes that went through so far: read progress for a long file. */
  bytes = 0;
  /** Line breaks (LF) before the current chunk: for error messages, and where the next range's lines start. */
  lines = 0;
  /** The error the check failed with and the offset of its byte: the reader finds the byte's column. */
  failure: { error: EwisError; at: number } | undefined;

  /** `hash: false` for a reader of one part of the file: the whole file's fingerprint is taken elsewhere. */
  constructor(private readonly file: string, options: { hash?: boolean } = {}) {
    super({ highWaterMark: 1 << 20 });
    this.hash = options.hash === false ? undefined : createHash("sha256");
  }

  /** Hex SHA-256 of every byte that went through; call once the stream has finished. */
  digest(): string {
    if (!this.hash) throw new Error("this stream was made without a hash");
    return this.hash.digest("hex");
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash?.update(chunk);
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      const at = firstInvalidUtf8(chunk);
      // Not found in this chunk: the bad sequence began at the end of the previous one.
      callback(this.notUtf8(chunk, at < chunk.length ? at : 0));
      return;
    }
    // A NUL is valid UTF-8 but never in a text CSV: a binary file that happens to decode.
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      callback(this.notText(chunk, nul));
      return;
    }
    this.lines += countLf(chunk, chunk.length);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.decode();
    } catch {
      callback(this.notUtf8(Buffer.alloc(0), 0, "the file ends inside a multi-byte character"));
      return;
    }
    callback();
  }

  /** Where `chunk[offset]` is in the file, and the byte itself (`0xE9`) when the chunk holds it. */
  private where(chunk: Buffer, offset: number): { byte: number; line: number; value: string | undefined } {
    const value = offset < chunk.length ? `0x${chunk[offset].toString(16).toUpperCase().padStart(2, "0")}` : undefined;
    return { byte: this.bytes + offset, line: this.lines + countLf(chunk, offset) + 1, value };
  }

  private failed(error: EwisError, at: number): EwisError {
    this.failure = { error, at };
    return error;
  }

  private notUtf8(chunk: Buffer, offset: number, detail = "invalid byte sequence"): EwisError {
    const { byte, line, value } = this.where(chunk, offset);
    const message = `${this.file} is not UTF-8 (${detail} near byte ${byte}, line ${line}); save it as UTF-8 CSV`;
    return this.failed(new EwisError("invalid_file", message, { file: this.file, line, value }), byte);
  }

  private notText(chunk: Buffer, offset: number): EwisError {
    const { byte, line, value } = this.where(chunk, offset);
    const message = `${this.file} is not a CSV text file (NUL byte at byte ${byte}, line ${line})`;
    return this.failed(new EwisError("invalid_file", message, { file: this.file, line, value }), byte);
  }
}

function countLf(bytes: Buffer, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < end; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Offset of the first byte that breaks UTF-8 in `bytes` (error path only; the decoder already
 * said there is one). Continuation bytes at the very start are skipped: they may finish a
 * character begun in the previous chunk, so the offset is approximate in that one case.
 * Follows the well-formed sequences of Unicode 15, table 3-7.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && (bytes[i] & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      // A sequence cut off by the end of the chunk is the decoder's business, not an error here.
      if (i + k >= bytes.length) return bytes.length;
      const c = bytes[i + k];
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
