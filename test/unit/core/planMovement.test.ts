import { describe, expect, it } from "vitest";
import { interventionGroup, planMovement, planOpenBetween, type MovementCell, type MovementInput, type RiskTier, type RollupCell } from "../../../src/core/index.ts";
import { recoverableCells, smallVisibleCounts, solvableCells } from "../../support/privacyAttack.ts";

let next = 0;
/** `count` students of a school who were at `before` last term and are at `now`. */
function movers(count: number, school: string, before: RiskTier | null, now: RiskTier, district = "D1"): MovementInput[] {
  return Array.from({ length: count }, () => ({ student_id: `s${next++}`, district_id: district, school_id: school, milestone: "grade9_courses", previous_tier: before, tier: now }));
}

const cell = (cells: MovementCell[], where: Partial<MovementCell>) => {
  const found = cells.filter((c) => Object.entries(where).every(([k, v]) => c[k as keyof MovementCell] === v));
  expect(found).toHaveLength(1);
  return found[0];
};

/** One previous tier's cells in the shape the independent attacker reads (fields n/low/moderate/high). */
const asRollups = (cells: MovementCell[], before: RiskTier) =>
  cells
    .filter((c) => c.previous_tier === before)
    .map((c) => ({
      scope: c.scope, district_id: c.district_id, school_id: c.school_id, milestone: c.milestone, grade: "all",
      dimension: c.intervention === "all" ? "all" : "intervention", value: c.intervention,
      n: c.students, low: c.now_low, moderate: c.now_moderate, high: c.now_high,
    })) as unknown as RollupCell[];

describe("plan movement", () => {
  it("counts where last term's students are now, by the one intervention group each falls in", () => {
    const mentored = movers(12, "S1", "high", "moderate").concat(movers(4, "S1", "high", "high"));
    const alone = movers(3, "S1", "high", "moderate").concat(movers(15, "S1", "high", "high"));
    const both = movers(2, "S1", "high", "low");
    const newcomers = movers(7, "S1", null, "high");
    const group = new Map<string, string>();
    for (const s of mentored) group.set(s.student_id, "mentoring");
    for (const s of both) group.set(s.student_id, "several");
    const cells = planMovement([...mentored, ...alone, ...both, ...newcomers], (id) => group.get(id) ?? "none", 1);
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "mentoring" })).toMatchObject({ students: 16, now_low: 0, now_moderate: 12, now_high: 4, suppressed: [] });
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "none" })).toMatchObject({ students: 18, now_moderate: 3, now_high: 15 });
    expect(cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "several" })).toMatchObject({ students: 2, now_low: 2 });
    // Everyone scored both terms, and no one new: the 7 newcomers had no tier to move from.
    expect(cell(cells, { scope: "state", previous_tier: "high", intervention: "all" })).toMatchObject({ students: 36, now_low: 2, now_moderate: 15, now_high: 19 });
    expect(cells.some((c) => c.previous_tier !== "high")).toBe(false);
  });

  it("hides small groups and every number that would give one back, by the rollups' rules", () => {
    const inputs = [
      ...movers(30, "S1", "high", "high"), ...movers(20, "S1", "high", "moderate"),
      ...movers(25, "S2", "high", "high"), ...movers(14, "S2", "high", "moderate"),
      ...movers(40, "S3", "moderate", "moderate", "D2"), ...movers(12, "S3", "moderate", "low", "D2"),
    ];
    // Three tutored students in S1 (two moved down) and twelve mentored in S2.
    const group = new Map<string, string>();
    inputs.filter((s) => s.school_id === "S1" && s.tier === "moderate").slice(0, 2).forEach((s) => group.set(s.student_id, "tutoring"));
    group.set(inputs[0].student_id, "tutoring");
    inputs.filter((s) => s.school_id === "S2").slice(0, 12).forEach((s) => group.set(s.student_id, "mentoring"));
    const threshold = 10;
    const cells = planMovement(inputs, (id) => group.get(id) ?? "none", threshold);
    const tutored = cell(cells, { scope: "school", school_id: "S1", previous_tier: "high", intervention: "tutoring" });
    expect(tutored).toMatchObject({ students: null, now_moderate: null, now_high: null });
    expect(tutored.suppressed).toEqual(["students", "now_low", "now_moderate", "now_high"]);
    // Nothing is hidden where nothing small is near: D2 has one group of 52 and no plans.
    expect(cell(cells, { scope: "school", school_id: "S3", previous_tier: "moderate", intervention: "none" })).toMatchObject({ students: 52, now_low: 12, now_moderate: 40, suppressed: [] });
    for (const before of ["high", "moderate"] as const) {
      const shown = asRollups(cells, before);
      expect(smallVisibleCounts(shown, threshold)).toEqual([]);
      expect(recoverableCells(shown)).toEqual([]);
      expect(solvableCells(shown)).toEqual([]);
    }
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
