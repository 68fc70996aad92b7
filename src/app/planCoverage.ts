import { EwisError, inScope, planCoverage, rollupScope, type CoverageCell } from "../core/index.ts";
import type { CaseworkStore } from "../store/caseworkStore.ts";
import type { TermRecord } from "../store/termStore.ts";
import { termOf, termSummary, type ReadPorts } from "./readTerm.ts";

/**
 * The coverage table is the state's whole: suppression must see every place at once, or a
 * district's numbers less its schools' would give back a school's hidden one. A state's table
 * takes seconds to suppress, so it is made at most once in `FRESH_MS` per term and served to
 * everyone meanwhile, with the time it was made.
 */
export const FRESH_MS = 5 * 60_000;

interface Made {
  key: string;
  at: Date;
  cells: CoverageCell[];
}

/** The last table made, kept by one service (`createApp` makes one). */
export class CoverageCache {
  private made: Made | undefined;

  async of(ports: ReadPorts & { casework: CaseworkStore }, term: TermRecord): Promise<Made> {
    const key = `${term.id} ${term.started_at}`;
    const now = ports.clock();
    if (this.made && this.made.key === key && now.getTime() - this.made.at.getTime() < FRESH_MS) return this.made;
    const high = await ports.reads.riskList(term.id, { tier: "high" }, { all: true });
    const open = new Set((await ports.casework.openPlansIn({ all: true })).map((p) => p.student_id));
    this.made = { key, at: now, cells: planCoverage(high, (id) => open.has(id), term.suppression_threshold) };
    return this.made;
  }
}

export interface CoverageQuery {
  place: { scope: "state" } | { scope: "district"; district_id: string } | { scope: "school"; school_id: string };
  milestone?: string;
  grade?: string;
  dimension?: string;
}

/**
 * The share of high-risk students with a plan open, for one place in the caller's rollup scope
 * (a place outside it, or one with no high-risk student, answers 404), by milestone, grade and
 * subgroup, suppressed as every rollup is. An aggregate: it names no student and is not audited.
 */
export async function coverageRollup(ports: ReadPorts & { casework: CaseworkStore; coverage: CoverageCache }, q: CoverageQuery) {
  const scope = rollupScope(ports.principal);
  if (q.place.scope === "state" && !scope.all) throw new EwisError("forbidden", "the state's coverage is for state admins");
  const term = await termOf(ports.reads, undefined);
  const table = await ports.coverage.of(ports, term);
  const place = q.place;
  const cells = table.cells.filter(
    (c) =>
      c.scope === place.scope &&
      (place.scope !== "district" || c.district_id === place.district_id) &&
      (place.scope !== "school" || c.school_id === place.school_id) &&
      inScope(scope, c) &&
      (q.milestone === undefined || c.milestone === q.milestone) &&
      (q.grade === undefined || c.grade === q.grade) &&
      (q.dimension === undefined || c.dimension === q.dimension),
  );
  if (place.scope !== "state" && !table.cells.some((c) => c.scope === place.scope && inScope(scope, c) && (place.scope === "district" ? c.district_id === place.district_id : c.school_id === place.school_id))) {
    throw new EwisError("not_found", "no such place in your scope this term, or no high-risk student in it");
  }
  return { term: termSummary(term), suppression_threshold: term.suppression_threshold, computed_at: table.at.toISOString(), cells };
}
