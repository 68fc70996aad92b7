import { planCoverage, type CoverageCell } from "./planCoverage.ts";
import { planMovement, type MovementCell, type MovementInput } from "./planMovement.ts";
import type { RollupCell, RollupInput } from "./rollup.ts";

/*
 * Casework's two state-wide tables from plain data alone (arrays, no callbacks), so that they
 * can be made on a worker thread: a state's takes seconds of CPU, which must not stall a service.
 */

export type CoverageInput = Omit<RollupInput, "tier"> & { student_id: string };

/** Coverage of `highRisk`, given the students with a plan open and the term's published rollups. */
export function coverageTable(highRisk: readonly CoverageInput[], withPlan: readonly string[], threshold: number, rollups: readonly RollupCell[]): { cells: CoverageCell[]; placesOnly: string[]; withheld: string[] } {
  const open = new Set(withPlan);
  return planCoverage(highRisk, (id) => open.has(id), threshold, rollups);
}

/** Movement of a term's `scores`, given each planned student's intervention group and the term's published "everyone" rollups. */
export function movementTable(scores: readonly MovementInput[], groups: readonly (readonly [string, string])[], noPlan: string, threshold: number, totals: readonly RollupCell[]): { cells: MovementCell[]; withheld: string[] } {
  const groupOf = new Map(groups);
  const total = new Map(totals.map((c) => [`${c.scope}\u0000${c.district_id}\u0000${c.school_id}\u0000${c.milestone}`, c]));
  return planMovement(scores, (id) => groupOf.get(id) ?? noPlan, threshold, (scope, district, school, milestone) => total.get(`${scope}\u0000${district}\u0000${school}\u0000${milestone}`));
}
