import { describe, expect, it } from "vitest";
import { appendPlainRow, HistoryChunkBuilder, HistoryTable, studentYearColumns, studentYearSchema } from "../src/core/index.ts";
import { Random } from "../fixtures/synthetic/random.ts";
import { sampleCells } from "./studentRows.ts";

/**
 * The fast path may only say "valid" where the schema says valid with the same values: every
 * mutated row is judged by both, and a row the fast path takes must come back out of the table
 * exactly as the schema parsed it.
 */

/** Some blanks among the cells, so both the blank and the written path of each column are taken. */
const base: Record<string, string> = { ...sampleCells, homeless: "", oss_count: "", math_scaled: "", exit_status: "" };

/** Values near every edge the schema draws, and some it never takes. */
const odd = [
  "", " ", "0", "1", "-1", "-0", "01", "2", "00", "K", "k", "12", "13", "0012", "1e3", "1.0", "+1", " 1", "1 ", "\u00a01", "x",
  "439", "440", "560", "561", "0440", "366", "367", "1989", "1990", "2100", "2101", "02024", "999999999999999", "9999999999999999",
  "2147483648", "enrolled", "graduated", "Graduated", "dropped_out", "F", "M", "N", "A", "W", "Z", "2011-02-29", "2012-02-29",
  "2011-4-02", "S_01", "S 01", "a".repeat(32), "a".repeat(33), "D1 ", "é", "1\u0000",
];

const cellIndex = Int32Array.from(studentYearColumns, (_, i) => i);

describe("appendPlainRow: the fast path agrees with the schema", () => {
  it("never takes a row the schema refuses, and takes it with the schema's values", () => {
    const random = new Random(11);
    let taken = 0;
    let refused = 0;
    for (let trial = 0; trial < 20_000; trial++) {
      const cells = studentYearColumns.map((c) => base[c]);
      const changes = random.int(1, 3);
      for (let k = 0; k < changes; k++) cells[random.int(0, cells.length - 1)] = odd[random.int(0, odd.length - 1)];
      const builder = new HistoryChunkBuilder();
      const fast = appendPlainRow(builder, cells, cellIndex, 2);
      const input = Object.fromEntries(studentYearColumns.map((c, i) => [c, cells[i] === "" ? undefined : cells[i]]));
      const schema = studentYearSchema.safeParse(input);
      if (!fast) {
        refused++;
        expect(builder.rows).toBe(0);
        continue;
      }
      taken++;
      expect(schema.success, `fast path took ${JSON.stringify(cells)}`).toBe(true);
      const back = new HistoryTable(builder.finish()).row(0);
      expect(back).toEqual(schema.data);
    }
    // Both branches ran, many times.
    expect(taken).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });

  it("writes the same columns as a row the schema parsed", () => {
    const cells = studentYearColumns.map((c) => base[c]);
    const fast = new HistoryChunkBuilder();
    expect(appendPlainRow(fast, cells, cellIndex, 9)).toBe(true);
    const slow = new HistoryChunkBuilder();
    const parsed = studentYearSchema.parse(Object.fromEntries(studentYearColumns.map((c, i) => [c, cells[i] === "" ? undefined : cells[i]])));
    slow.appendRow(parsed, 9);
    expect(fast.finish()).toEqual(slow.finish());
  });

  it("keeps counts past 2^31 exact by widening the column", () => {
    const cells = studentYearColumns.map((c) => (c === "iss_count" ? "2147483648" : base[c]));
    const builder = new HistoryChunkBuilder();
    expect(appendPlainRow(builder, cells, cellIndex, 2)).toBe(true);
    expect(appendPlainRow(builder, studentYearColumns.map((c) => base[c]), cellIndex, 3)).toBe(true);
    const table = new HistoryTable(builder.finish());
    expect(table.row(0).iss_count).toBe(2147483648);
    expect(table.row(1).iss_count).toBe(1);
  });
});
