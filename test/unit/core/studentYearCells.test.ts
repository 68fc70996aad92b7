import { describe, expect, it } from "vitest";
import { appendPlainRow, HistoryChunkBuilder, HistoryTable, studentYearColumns, studentYearSchema } from "../../../src/core/index.ts";
import { Random } from "../../../fixtures/synthetic/random.ts";
import { sampleCells } from "../../support/studentRows.ts";

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
    let notEnrolled = 0;
    for (let trial = 0; trial < 20_000; trial++) {
      // Every other row is a graduate who did not enrol, so a mutated college outcome of 1 contradicts it.
      const cells = studentYearColumns.map((c) => (trial % 2 === 1 && c === "postsecondary_enrolled" ? "0" : base[c]));
      const changes = random.int(1, 3);
      for (let k = 0; k < changes; k++) cells[random.int(0, cells.length - 1)] = odd[random.int(0, odd.length - 1)];
      const builder = new HistoryChunkBuilder();
      const fast = appendPlainRow(builder, cells, cellIndex, 2);
      const input = Object.fromEntries(studentYearColumns.map((c, i) => [c, cells[i] === "" ? undefined : cells[i]]));
      const schema = studentYearSchema.safeParse(input);
      if (!schema.success && schema.error.issues.some((i) => i.message === "is 1 but postsecondary_enrolled is 0")) notEnrolled++;
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
    expect(notEnrolled).toBeGreaterThan(5);
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

  it("agrees with the schema on every combination of the college flags, leaving a contradiction to the schema", () => {
    const values = ["", "0", "1"];
    const outcomes = ["postsecondary_remedial", "postsecondary_persisted"] as const;
    const graduate = { ...base, grade: "12", exit_status: "graduated" };
    let contradictions = 0;
    for (const enrolled of values) {
      for (const remedial of values) {
        for (const persisted of values) {
          const row: Record<string, string> = { ...graduate, postsecondary_enrolled: enrolled, postsecondary_remedial: remedial, postsecondary_persisted: persisted };
          const cells = studentYearColumns.map((c) => row[c]);
          const builder = new HistoryChunkBuilder();
          const fast = appendPlainRow(builder, cells, cellIndex, 2);
          const schema = studentYearSchema.safeParse(Object.fromEntries(studentYearColumns.map((c) => [c, row[c] === "" ? undefined : row[c]])));
          const blamed = enrolled === "0" ? outcomes.filter((c) => row[c] === "1") : [];
          const label = JSON.stringify({ enrolled, remedial, persisted });
          if (blamed.length > 0) {
            contradictions++;
            // Not plainly valid: the fast path appends nothing and the schema names each outcome column.
            expect(fast, label).toBe(false);
            expect(builder.rows).toBe(0);
            expect(schema.success, label).toBe(false);
            expect(schema.error!.issues.map((i) => [i.path[0], i.message]), label).toEqual(blamed.map((c) => [c, "is 1 but postsecondary_enrolled is 0"]));
            continue;
          }
          // Otherwise the row is plain: the fast path takes it, with the schema's values.
          expect(fast, label).toBe(true);
          expect(schema.success, label).toBe(true);
          expect(new HistoryTable(builder.finish()).row(0)).toEqual(schema.data);
        }
      }
    }
    expect(contradictions).toBe(5);
  });

  it("reads a row without the two outcome columns as the schema reads it with them absent", () => {
    const absent = new Set(["postsecondary_remedial", "postsecondary_persisted"]);
    const columns = studentYearColumns.filter((c) => !absent.has(c));
    const index = Int32Array.from(studentYearColumns, (c) => columns.indexOf(c));
    for (const enrolled of ["", "0", "1"]) {
      const row: Record<string, string> = { ...base, postsecondary_enrolled: enrolled };
      const builder = new HistoryChunkBuilder();
      expect(appendPlainRow(builder, columns.map((c) => row[c]), index, 2), enrolled).toBe(true);
      const parsed = studentYearSchema.parse(Object.fromEntries(columns.map((c) => [c, row[c] === "" ? undefined : row[c]])));
      const back = new HistoryTable(builder.finish()).row(0);
      expect(back).toEqual(parsed);
      expect(back.postsecondary_remedial).toBeUndefined();
      expect(back.postsecondary_persisted).toBeUndefined();
    }
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
