import { elsewhereOf } from "./planMovement.ts";
import { suppressedBeside } from "./rollupSuppression.ts";
import { RollupAccumulator, type RollupCell, type RollupInput } from "./rollup.ts";
import { rollupKeyString, type GroupKey, type RollupKey } from "./rollupKey.ts";

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
export function planCoverage(
  highRisk: Iterable<Omit<RollupInput, "tier"> & { student_id: string }>,
  hasPlan: (studentId: string) => boolean,
  threshold: number,
  published: readonly RollupCell[],
): { cells: CoverageCell[]; placesOnly: string[]; withheld: string[] } {
  // A group's high-risk count is the published rollup's high count: hidden there, hidden here.
  const byKey = new Map(published.map((c) => [rollupKeyString(c), c]));
  const rollupOf = (k: GroupKey) => byKey.get(rollupKeyString(k));
  // Milestones are tables of their own (never summed together): each is suppressed, or withheld, alone.
  const byMilestone = new Map<string, (Omit<RollupInput, "tier"> & { student_id: string })[]>();
  for (const s of highRisk) {
    const list = byMilestone.get(s.milestone);
    if (list) list.push(s);
    else byMilestone.set(s.milestone, [s]);
  }
  const cells: CoverageCell[] = [];
  const placesOnly: string[] = [];
  const withheld: string[] = [];
  for (const [milestone, students] of byMilestone) {
    const full = coverageOf(students, hasPlan, threshold, rollupOf, false);
    if (full) {
      cells.push(...full);
      continue;
    }
    // Grades and subgroups make many small groups, and beside the rollups' own choices there
    // may be no way to protect them all: then the milestone is shown by place alone, or not.
    const flat = coverageOf(students, hasPlan, threshold, rollupOf, true);
    if (flat) {
      cells.push(...flat);
      placesOnly.push(milestone);
    } else withheld.push(milestone);
  }
  return { cells, placesOnly: placesOnly.sort(), withheld: withheld.sort() };
}

/** One milestone's coverage suppressed beside the rollups, by place alone (`flat`) or by grade and subgroup too; undefined where that cannot be done. */
function coverageOf(
  students: readonly (Omit<RollupInput, "tier"> & { student_id: string })[],
  hasPlan: (studentId: string) => boolean,
  threshold: number,
  rollupOf: (k: GroupKey) => RollupCell | undefined,
  flat: boolean,
): CoverageCell[] | undefined {
  const rollups = new RollupAccumulator();
  // By place alone: every student in one grade slot and one value of each dimension, which no
  // published rollup has; only the place totals are kept.
  const one = flat ? (Object.fromEntries(Object.keys(students[0]?.subgroups ?? {}).map((d) => [d, "-"])) as RollupInput["subgroups"]) : undefined;
  for (const s of students) {
    rollups.add({ district_id: s.district_id, school_id: s.school_id, milestone: s.milestone, grade: flat ? 0 : s.grade, risk: s.risk, subgroups: one ?? s.subgroups, tier: hasPlan(s.student_id) ? "low" : "moderate" });
  }
  const made = suppressedBeside(() =>
    rollups.finish(threshold, (groups) => {
      const known = elsewhereOf(groups, rollupOf, ["high", null, null, null]);
      // The fourth count (the "high" tier of the two-tier roll-up) is 0 by construction, and
      // every reader knows it: hiding it would protect nothing.
      for (let g = 0; g < groups.length; g++) known.shown[g * 4 + 3] = 1;
      return known;
    }),
  );
  if (!made) return undefined;
  const kept = flat ? made.cells.filter((c) => c.grade === "all" && c.dimension === "all") : made.cells;
  return kept.map(coverageCell);
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
