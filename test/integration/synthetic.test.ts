import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { EwisError } from "../../src/core/errors.ts";
import { studentYearColumns, studentYearSchema, type StudentYear } from "../../src/core/studentYear.ts";
import { measureCalibration } from "../../fixtures/synthetic/calibration.ts";
import { syntheticStudents, writeSyntheticState, type SyntheticStateOptions } from "../../fixtures/synthetic/generate.ts";

/** Collects what is written, and pushes back often so the generator must wait for 'drain'. */
class Collector extends Writable {
  readonly chunks: string[] = [];
  constructor() {
    super({ highWaterMark: 4096, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: () => void) {
    this.chunks.push(chunk.toString());
    setImmediate(done);
  }
}

async function generate(options: SyntheticStateOptions) {
  const out = new Collector();
  const counts = await writeSyntheticState(options, out);
  return { text: out.chunks.join(""), ...counts };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The contract's CSV to rows as the schema expects them: blank cells become undefined. */
function parseCsv(text: string) {
  const lines = text.split("\n");
  expect(lines.pop()).toBe(""); // ends with a newline
  const header = lines.shift()!.split(",");
  return {
    header,
    records: lines.map((line) => {
      const cells = line.split(",");
      expect(cells).toHaveLength(header.length);
      return Object.fromEntries(header.map((column, i) => [column, cells[i] === "" ? undefined : cells[i]]));
    }),
  };
}

const small = readFileSync(new URL("../../fixtures/state-small.csv", import.meta.url), "utf8");
const currentYear = 2027;

describe("synthetic state", () => {
  it("gives the same bytes for the same options and different bytes for another seed", async () => {
    const a = await generate({ students: 1500, seed: 11 });
    const b = await generate({ students: 1500, seed: 11 });
    const c = await generate({ students: 1500, seed: 12 });
    expect(sha256(a.text)).toBe(sha256(b.text));
    expect(sha256(c.text)).not.toBe(sha256(a.text));
    expect(a.students).toBe(1500);
    expect(a.text.split("\n").length - 2).toBe(a.rows);
  });

  it("matches the committed small fixture (regenerate it with fixtures/synthetic/regenerate-small.ts)", async () => {
    const fresh = await generate({ students: 3000, seed: 7 });
    expect(sha256(small)).toBe(sha256(fresh.text));
    expect(small.length).toBeLessThan(2_000_000);
  });

  it("kept every earlier column byte for byte when the college outcomes were added (their draws use a stream of their own)", () => {
    // sha256 of the fixture's rows, header left out, as committed before postsecondary_remedial
    // and postsecondary_persisted existed: the trained models' numbers rest on these values.
    const body = small.slice(small.indexOf("\n") + 1).replace(/,[01]?,[01]?$/gm, "");
    expect(sha256(body)).toBe("15456e157bf0a20b2aa6005a0b8fc372a21fdfa21f354b29b953a88d949100e9");
  });

  it("writes the college outcomes only for enrolled graduates, and persistence only once the second fall has come", () => {
    const { records } = parseCsv(small);
    let enrolled = 0;
    let persistenceKnown = 0;
    for (const r of records) {
      const year = Number(r.school_year);
      if (r.exit_status === "graduated" && r.postsecondary_enrolled === "1") {
        enrolled++;
        expect(["0", "1"]).toContain(r.postsecondary_remedial);
        // Enrols in the fall of year + 1, persists into the fall of year + 2.
        if (year + 2 <= currentYear) {
          expect(["0", "1"]).toContain(r.postsecondary_persisted);
          persistenceKnown++;
        } else expect(r.postsecondary_persisted).toBeUndefined();
      } else {
        expect([r.postsecondary_remedial, r.postsecondary_persisted]).toEqual([undefined, undefined]);
      }
    }
    expect(enrolled).toBeGreaterThan(500);
    expect(persistenceKnown).toBeGreaterThan(400);
    expect(persistenceKnown).toBeLessThan(enrolled);
  });

  it("writes rows that all pass the schema, with unique (student_id, school_year)", () => {
    expect(small).not.toContain("\r");
    const { header, records } = parseCsv(small);
    expect(header).toEqual(studentYearColumns);
    const keys = new Set<string>();
    const students = new Set<string>();
    const gradesByYear = new Map<number, Set<number>>();
    for (const record of records) {
      const parsed = studentYearSchema.safeParse(record);
      if (!parsed.success) throw new Error(`${JSON.stringify(record)}: ${parsed.error.message}`);
      const row = parsed.data;
      keys.add(`${row.student_id}/${row.school_year}`);
      students.add(row.student_id);
      if (!gradesByYear.has(row.school_year)) gradesByYear.set(row.school_year, new Set());
      gradesByYear.get(row.school_year)!.add(row.grade);
    }
    expect(keys.size).toBe(records.length);
    expect(students.size).toBe(3000);
    expect([...gradesByYear.keys()].sort()).toEqual(Array.from({ length: 13 }, (_, i) => 2015 + i));
    for (const grades of gradesByYear.values()) expect(grades.size).toBe(13);
  });

  it("leaves the year in progress without scores, course marks or exit status", () => {
    const { records } = parseCsv(small);
    const current = records.filter((r) => r.school_year === String(currentYear));
    expect(current.length).toBeGreaterThan(1000);
    for (const r of current) {
      expect([
        r.ela_scaled, r.math_scaled, r.courses_attempted, r.courses_failed, r.exit_status,
        r.postsecondary_enrolled, r.postsecondary_remedial, r.postsecondary_persisted,
      ]).toEqual(Array(8).fill(undefined));
      expect(Number(r.days_enrolled)).toBeLessThanOrEqual(60);
    }
    const complete = records.filter((r) => r.school_year !== String(currentYear));
    expect(complete.filter((r) => r.days_enrolled === "180").length / complete.length).toBeGreaterThan(0.8);
    expect(complete.every((r) => r.exit_status !== undefined)).toBe(true);
  });

  it("lands near the calibration targets", () => {
    function* rows(): Generator<StudentYear> {
      for (const history of syntheticStudents({ students: 8000, seed: 1 })) yield* history;
    }
    const f = measureCalibration(rows());
    expect(f.counts.students).toBe(8000);
    expect(f.meanAttendance).toBeGreaterThan(0.925);
    expect(f.meanAttendance).toBeLessThan(0.955);
    expect(f.chronicAbsence).toBeGreaterThan(0.13);
    expect(f.chronicAbsence).toBeLessThan(0.22);
    expect(f.fourYearGraduation).toBeGreaterThan(0.85);
    expect(f.fourYearGraduation).toBeLessThan(0.93);
    expect(f.annualDropout).toBeGreaterThan(0.012);
    expect(f.annualDropout).toBeLessThan(0.03);
    expect(f.grade3ElaProficient).toBeGreaterThan(0.33);
    expect(f.grade3ElaProficient).toBeLessThan(0.47);
    expect(f.lowIncome).toBeGreaterThan(0.35);
    expect(f.lowIncome).toBeLessThan(0.45);
    expect(f.ell).toBeGreaterThan(0.09);
    expect(f.ell).toBeLessThan(0.15);
    expect(f.iep).toBeGreaterThan(0.16);
    expect(f.iep).toBeLessThan(0.22);
    expect(f.counts.remedialKnown).toBeGreaterThan(1500);
    expect(f.remedial).toBeGreaterThan(0.27);
    expect(f.remedial).toBeLessThan(0.4);
    expect(f.counts.persistenceKnown).toBeGreaterThan(1400);
    expect(f.persistence).toBeGreaterThan(0.74);
    expect(f.persistence).toBeLessThan(0.86);
  });

  it("measures remediation and persistence over enrolled graduates with the column filled", () => {
    const base = { district_id: "D", school_id: "S", days_enrolled: 180, days_present: 170, iss_count: 0, oss_count: 0, school_moves: 0, grade: 12 };
    const graduate = (id: string, year: number, college: Partial<StudentYear>): StudentYear => ({
      ...base, student_id: id, school_year: year, exit_status: "graduated", ...college,
    });
    const f = measureCalibration([
      graduate("a", 2024, { postsecondary_enrolled: 1, postsecondary_remedial: 1, postsecondary_persisted: 0 }),
      graduate("b", 2024, { postsecondary_enrolled: 1, postsecondary_remedial: 0, postsecondary_persisted: 1 }),
      graduate("c", 2025, { postsecondary_enrolled: 1, postsecondary_remedial: 0 }), // second fall not come yet
      graduate("d", 2025, { postsecondary_enrolled: 0 }), // did not enrol: not counted
      graduate("e", 2025, {}), // enrolment unknown: not counted
      { ...base, student_id: "f", school_year: 2026, grade: 11, exit_status: "enrolled" },
    ]);
    expect(f.counts.remedialKnown).toBe(3);
    expect(f.remedial).toBeCloseTo(1 / 3);
    expect(f.counts.persistenceKnown).toBe(2);
    expect(f.persistence).toBe(0.5);
  });

  it("measures the spec's on-time graduation over students with a known outcome", () => {
    const base = { district_id: "D", school_id: "S", days_enrolled: 180, days_present: 170, iss_count: 0, oss_count: 0, school_moves: 0 };
    const row = (id: string, year: number, grade: number, exit: StudentYear["exit_status"] = "enrolled"): StudentYear => ({
      ...base, student_id: id, school_year: year, grade, exit_status: exit,
    });
    const f = measureCalibration([
      row("on-time", 2020, 9), row("on-time", 2023, 12, "graduated"),
      row("fifth-year", 2020, 9), row("fifth-year", 2023, 12), row("fifth-year", 2024, 12, "graduated"),
      row("dropout", 2020, 9, "dropped_out"),
      row("moved-away", 2020, 9, "transferred_out"), // unknown: left out
      row("entered-in-11", 2022, 11), row("entered-in-11", 2023, 12, "graduated"), // grade 9 year taken as 2020
      row("too-recent", 2025, 9), // deadline not yet passed: unknown
      row("now", 2026, 10),
    ]);
    expect(f.counts.graduationCohort).toBe(4);
    expect(f.fourYearGraduation).toBe(0.5);
    expect(f.annualDropout).toBe(1 / 10); // complete years only: 2026 is the year in progress
  });

  it("rejects options it cannot honour", () => {
    expect(() => syntheticStudents({ students: 0, seed: 1 }).next()).toThrow(EwisError);
    expect(() => syntheticStudents({ students: 10, seed: 1.5 }).next()).toThrow(/seed/);
    expect(() => syntheticStudents({ students: 10, seed: 1, firstYear: 2027, currentYear: 2020 }).next()).toThrow(/firstYear/);
  });
});
