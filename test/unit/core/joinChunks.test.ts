import { describe, expect, it } from "vitest";
import { HistoryChunkBuilder, HistoryTable, joinChunks, type StudentYear } from "../../../src/core/index.ts";
import { career, studentYear } from "../../support/studentRows.ts";

const chunkOf = (rows: StudentYear[], firstLine: number) => {
  const builder = new HistoryChunkBuilder();
  rows.forEach((row, k) => builder.appendRow(row, firstLine + k));
  return builder.finish();
};

describe("joinChunks", () => {
  it("joins chunks read in parallel in order, one student where their rows fall into two chunks", () => {
    const alice = career({ year: 2024, grade: 5 }, [{ student_id: "A", school_id: "E1" }, { student_id: "A", school_id: "E1" }, { student_id: "A", school_id: "M1" }]);
    const bo = [studentYear({ student_id: "B", school_year: "2026", grade: "7", district_id: "D2", school_id: "M9", ela_scaled: "488" })];
    // Chunk 1 holds Alice's first two years; chunk 2 her third year, then Bo: the dictionaries differ.
    const joined = new HistoryTable(joinChunks([chunkOf(alice.slice(0, 2), 2), chunkOf([alice[2], ...bo], 4)]));
    expect(joined.rowCount).toBe(4);
    expect(joined.studentCount).toBe(2);
    expect(joined.rows()).toEqual([...alice, ...bo]);
    expect(Array.from(joined.chunk.line)).toEqual([2, 3, 4, 5]);
    const histories = [...joined.histories()];
    expect(histories.map((h) => h.rows.map((r) => `${r.student_id} ${r.school_year} ${r.school_id}`))).toEqual([
      ["A 2024 E1", "A 2025 E1", "A 2026 M1"],
      ["B 2026 M9"],
    ]);
  });

  it("returns a lone chunk as it is", () => {
    const chunk = chunkOf([studentYear({})], 2);
    expect(joinChunks([chunk])).toBe(chunk);
  });
});

