import { describe, expect, it } from "vitest";
import {
  computeRollups,
  interventionGroup,
  planMovement,
  planOpenBetween,
  RollupAccumulator,
  type MovementCell,
  type RiskTier,
  type RollupCell,
  type RollupInput,
} from "../../../src/core/index.ts";
import { recoverableCells, smallVisibleCounts, solvableCells } from "../../support/privacyAttack.ts";

type Student = RollupInput & { student_id: string; previous_tier: RiskTier | null };
const flags = { low_income: "0", ell: "0", former_ell: "0", sped: "0", homeless: "0", foster_care: "0", race_ethnicity: "W", gender: "F" };

let next = 0;
/** `count` students of a school who were at `before` last term (null: new) and are at `now`. */
function movers(count: number, school: string, before: RiskTier | null, now: RiskTier, district = "D1"): Student[] {
  return Array.from({ length: count }, (_, i) => ({
    student_id: `s${next++}`, district_id: district, school_id: school, milestone: "ninth_grade_success", grade: 9, tier: now,
    risk: now === "high" ? 0.7 : now === "moderate" ? 0.3 : 0.1, previous_tier: before, subgroups: { ...flags, low_income: i % 2 ? "1" : "0" },
  }));
}

/** The term as published: its rollups (suppressed), and the movement table beside them. */
function publish(students: Student[], groupOf: (id: string) => string, threshold: number) {
  const rollups = computeRollups(students, threshold);
  const total = (scope: string, district: string, school: string, milestone: string) =>
    rollups.find((c) => c.scope === scope && c.district_id === district && c.school_id === school && c.milestone === milestone && c.grade === "all" && c.dimension === "all");
  return { rollups, ...planMovement(students, groupOf, threshold, total) };
}

const cell = (cells: MovementCell[], where: Partial<MovementCell>) => {
  const found = cells.filter((c) => Object.entries(where).every(([k, v]) => c[k as keyof MovementCell] === v));
  expect(found).toHaveLength(1);
  return found[0];
};

/**
 * Everything a reader sees at once, in the independent attacker's shape: every published
 * rollup, and the movement rows as one more dimension of the rollups' "everyone" groups.
 */
const seenTogether = (rollups: RollupCell[], cells: MovementCell[]) =>
  [
    ...rollups,
    ...cells.map((c) => ({
      scope: c.scope, district_id: c.district_id, school_id: c.school_id, milestone: c.milestone, grade: "all",
      dimension: "movement", value: c.previous_tier === "new" ? "new" : `${c.previous_tier}:${c.intervention}`,
      n: c.students, low: c.now_low, moderate: c.now_moderate, high: c.now_high,
    })),
  ] as unknown as RollupCell[];

describe("plan movement", () => {
  it("counts where last term's students are now, by the one intervention group each falls in", () => {
    const mentored = movers(12, "S1", "high", "moderate").concat(movers(4, "S1", "high", "high"));
    const alone = movers(3, "S1", "high", "moderate").concat(movers(15, "S1", "high", "high"));
    const both = movers(2, "S1", "high", "low");
    const newcomers = movers(7, "S1", null, "high");
    const group = new Map<string, string>();
    for (const s of mentored) group.set(s.student_id, "mentoring");
    for (const s of both) group.set(s.student_id, "several");
    const { cells, withheld } = publish([...mentored, ...alone, ...both, ...newcomers], (id) => group.get(id) ?? "none", 1);
    expect(withheld).toEqual([]);
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "mentoring" })).toMatchObject({ students: 16, now_low: 0, now_moderate: 12, now_high: 4, suppressed: [] });
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "none" })).toMatchObject({ students: 18, now_moderate: 3, now_high: 15 });
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "several" })).toMatchObject({ students: 2, now_low: 2 });
    // The 7 newcomers had no tier to move from: a row of their own, with no intervention split.
    expect(cell(cells, { scope: "state", previous_tier: "new" })).toMatchObject({ intervention: "all", students: 7, now_high: 7 });
    expect(cells.some((c) => c.previous_tier === "moderate" || c.previous_tier === "low")).toBe(false);
  });

  it("gives back no hidden number, alone or subtracted from the published rollups", () => {
    // Two students moved low → high in S1: beside the school's published high count (29) and
    // the other rows' "now high", a table suppressed on its own would give the 2 back.
    const students = [
      ...movers(2, "S1", "low", "high"), ...movers(12, "S1", "moderate", "high"), ...movers(15, "S1", "high", "high"),
      ...movers(20, "S1", "high", "moderate"), ...movers(30, "S1", "moderate", "moderate"), ...movers(25, "S1", "low", "low"),
      ...movers(25, "S2", "high", "high"), ...movers(14, "S2", "high", "moderate"), ...movers(18, "S2", "low", "low"),
      ...movers(40, "S3", "moderate", "moderate", "D2"), ...movers(12, "S3", "moderate", "low", "D2"), ...movers(11, "S3", null, "low", "D2"),
    ];
    // Three tutored students in S1 and twelve mentored in S2.
    const group = new Map<string, string>();
    students.filter((s) => s.school_id === "S1" && s.previous_tier === "high").slice(0, 3).forEach((s) => group.set(s.student_id, "tutoring"));
    students.filter((s) => s.school_id === "S2").slice(0, 12).forEach((s) => group.set(s.student_id, "mentoring"));
    const threshold = 10;
    const { rollups, cells, withheld } = publish(students, (id) => group.get(id) ?? "none", threshold);
    expect(withheld).toEqual([]);
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "low", intervention: "none" }).now_high).toBeNull();
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "tutoring" })).toMatchObject({ students: null, suppressed: ["students", "now_low", "now_moderate", "now_high"] });
    // The twelve mentored in S2 are a group of their own, shown; all twelve are still high.
    expect(cell(cells, { scope: "school", school_id: "S2", previous_tier: "high", intervention: "mentoring" })).toMatchObject({ students: 12, now_low: 0, now_moderate: 0, now_high: 12, suppressed: [] });
    const seen = seenTogether(rollups, cells);
    expect(smallVisibleCounts(seen, threshold)).toEqual([]);
    expect(recoverableCells(seen)).toEqual([]);
    expect(solvableCells(seen)).toEqual([]);
  });

  it("hides, and protects, a number another table hides, and avoids hiding one it shows", () => {
    const students = [...movers(30, "S1", "high", "high"), ...movers(25, "S1", "high", "moderate"), ...movers(40, "S2", "high", "low"), ...movers(20, "S2", "high", "moderate")];
    const key = (c: { scope: string; school_id: string; grade: string; dimension: string }) => c.scope === "school" && c.school_id === "S1" && c.grade === "all" && c.dimension === "all";
    const plain = computeRollups(students, 10);
    expect(plain.find(key)).toMatchObject({ moderate: 25, high: 30 });
    // Another table hides S1's moderate count: here it is hidden too, and so protected that the
    // attacker cannot work it out; S2's, shown there, is never the complement chosen (the
    // district's numbers are hidden instead).
    const accumulator = new RollupAccumulator();
    for (const s of students) accumulator.add(s);
    const { cells, exposed } = accumulator.finish(10, (groups) => {
      const hidden = new Uint8Array(groups.length * 4);
      const shown = new Uint8Array(groups.length * 4);
      groups.forEach((g, i) => {
        if (key(g.key)) hidden[i * 4 + 2] = 1;
        if (g.key.scope === "school" && g.key.school_id === "S2") shown.fill(1, i * 4, i * 4 + 4);
      });
      return { hidden, shown };
    });
    expect(cells.find(key)).toMatchObject({ moderate: null });
    expect(cells.filter((c) => c.school_id === "S2").every((c) => c.suppressed.length === 0)).toBe(true);
    expect(solvableCells(cells)).toEqual([]);
    expect(exposed).toEqual([]);
  });

  it("takes a plan as had between two terms when it was open at any time from one publication to the next", () => {
    expect(planOpenBetween({ starts_on: "2027-01-10", ended_on: null }, "2026-11-01", "2027-02-01")).toBe(true);
    expect(planOpenBetween({ starts_on: "2026-09-01", ended_on: "2026-11-01" }, "2026-11-01", "2027-02-01")).toBe(true);
    expect(planOpenBetween({ starts_on: "2026-09-01", ended_on: "2026-10-31" }, "2026-11-01", "2027-02-01")).toBe(false);
    expect(planOpenBetween({ starts_on: "2027-02-02", ended_on: null }, "2026-11-01", "2027-02-01")).toBe(false);
    expect(interventionGroup([])).toBe("none");
    expect(interventionGroup(["tutoring", "tutoring"])).toBe("tutoring");
    expect(interventionGroup(["tutoring", "mentoring"])).toBe("several");
  });
});
