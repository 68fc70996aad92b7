import { computeRollups, type RollupCell, type RollupInput } from "./rollup.ts";
import type { RollupKey } from "./rollupKey.ts";

export const coverageFields = ["high_risk", "with_plan", "without_plan"] as const;
export type CoverageField = (typeof coverageFields)[number];

/**
 * How many of a group's high-risk scores belong to students with a plan open: by place,
 * milestone, grade and subgroup, with every number from fewer students than the threshold, or
 * one that could be worked out from the shown ones, hidden (null) and named in `suppressed`.
 */
export interface CoverageCell extends RollupKey {
  high_risk: number | null;
  with_plan: number | null;
  without_plan: number | null;
  share_with_plan: number | null;
  suppressed: CoverageField[];
}

const fieldOf = { n: "high_risk", low: "with_plan", moderate: "without_plan" } as const;

/**
 * The coverage table, suppressed by the very rules of the published rollups: each high-risk
 * score is rolled up as if "with a plan" and "without" were two of its tiers, so the sums that
 * tie the cells (the two add up to the group; subgroups, grades and schools to theirs) and the
 * suppression that guards them are the rollups' own, not a second, weaker copy.
 */
export function planCoverage(highRisk: Iterable<Omit<RollupInput, "tier"> & { student_id: string }>, hasPlan: (studentId: string) => boolean, threshold: number): CoverageCell[] {
  function* inputs(): Generator<RollupInput> {
    for (const s of highRisk) yield { district_id: s.district_id, school_id: s.school_id, milestone: s.milestone, grade: s.grade, risk: s.risk, subgroups: s.subgroups, tier: hasPlan(s.student_id) ? "low" : "moderate" };
  }
  return computeRollups(inputs(), threshold).map(coverageCell);
}

function coverageCell(c: RollupCell): CoverageCell {
  const { scope, district_id, school_id, milestone, grade, dimension, value } = c;
  return {
    scope, district_id, school_id, milestone, grade, dimension, value,
    high_risk: c.n,
    with_plan: c.low,
    without_plan: c.moderate,
    share_with_plan: c.n !== null && c.low !== null && c.n > 0 ? c.low / c.n : null,
    suppressed: c.suppressed.flatMap((f) => (f in fieldOf ? [fieldOf[f as keyof typeof fieldOf]] : [])),
  };
}
