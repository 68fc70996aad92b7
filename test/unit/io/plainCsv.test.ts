import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import { describe, expect, it } from "vitest";
import { isPlainCsv, PlainCsv } from "../../../src/io/plainCsv.ts";
import { Random } from "../../../fixtures/synthetic/random.ts";

/** The options csvRecords.ts gives csv-parse. */
const csvParse = (bom: boolean) =>
  parse({ bom, record_delimiter: ["\r\n", "\n"], relax_column_count: true, skip_empty_lines: false, raw: true, max_record_size: 1_000_000 });

async function records(parser: NodeJS.ReadWriteStream, chunks: Buffer[]) {
  const out: { record: string[]; raw: string }[] = [];
  await pipeline(
    Readable.from(chunks),
    parser,
    new Writable({
      objectMode: true,
      write(chunk: { record: string[]; raw: string }, _e, done) {
        out.push({ record: chunk.record, raw: chunk.raw });
        done();
      },
    }),
  );
  return out;
}

/** `bytes` cut at random places, mid-character too. */
function cut(bytes: Buffer, random: Random): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const next = Math.min(bytes.length, at + 1 + Math.floor(random.uniform() * 12));
    chunks.push(bytes.subarray(at, next));
    at = next;
  }
  return chunks;
}

describe("the plain CSV fast path", () => {
  it("gives csv-parse's records and raw text on any quote-free text, however it is cut", async () => {
    const random = new Random(17);
    // Commas, line breaks of both kinds, lone CRs, blank lines, multi-byte characters, a BOM.
    const alphabet = ["a", "7", ",", ",", "\n", "\n", "\r\n", "\r", " ", "é", "日", "-"];
    for (let trial = 0; trial < 400; trial++) {
      let text = trial % 5 === 0 ? "\uFEFF" : "";
      const length = Math.floor(random.uniform() * 60);
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(random.uniform() * alphabet.length)];
      const bytes = Buffer.from(text, "utf8");
      const bom = trial % 2 === 0;
      const want = await records(csvParse(bom), [bytes]);
      expect(await records(new PlainCsv(bom), cut(bytes, random)), JSON.stringify(text)).toEqual(want);
    }
  });

  it("reads a history's lines as csv-parse does", async () => {
    const text = "student_id,school_year,grade\r\nS1,2026,3\nS2,2026,4\r\n\nS3,2027,5\r\r\nS4,2027,";
    const bytes = Buffer.from(text);
    const want = await records(csvParse(true), [bytes]);
    expect(want.map((r) => r.record)).toEqual([["student_id", "school_year", "grade"], ["S1", "2026", "3"], ["S2", "2026", "4"], [""], ["S3", "2027", "5\r"], ["S4", "2027", ""]]);
    expect(await records(new PlainCsv(true), [bytes])).toEqual(want);
  });

  it("is used only where the bytes hold no quote and no line near the record limit", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ewis-plain-"));
    const file = join(dir, "a.csv");
    const long = "x".repeat(1_200_000);
    await writeFile(file, `a,b\n1,2\n"3",4\n5,6\n${long}\n7,8\n`);
    const quoteAt = "a,b\n1,2\n".length;
    expect(await isPlainCsv(file, 0, quoteAt, 1_000_000)).toBe(true);
    expect(await isPlainCsv(file, 0, quoteAt + 1, 1_000_000)).toBe(false);
    const longAt = `a,b\n1,2\n"3",4\n5,6\n`.length;
    expect(await isPlainCsv(file, longAt - 4, longAt + 999_999, 1_000_000)).toBe(true);
    expect(await isPlainCsv(file, longAt - 4, longAt + 1_000_000, 1_000_000)).toBe(false);
    expect(await isPlainCsv(file, longAt + long.length, longAt + long.length + 5, 1_000_000)).toBe(true);
  });
});
