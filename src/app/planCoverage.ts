import type { CaseworkStore } from "../store/caseworkStore.ts";
import type { FreshTables } from "./freshTables.ts";
import { cellsOfPlace, type Place } from "./placeQuery.ts";
import { termOf, termSummary, type ReadPorts } from "./readTerm.ts";

export interface CoverageQuery {
  place: Place;
  milestone?: string;
  grade?: string;
  dimension?: string;
}

/**
 * The share of high-risk students with a plan open, for one place in the caller's rollup scope
 * (a place outside it, or one with no high-risk student, answers 404), by milestone, grade and
 * subgroup, suppressed as every rollup is. An aggregate: it names no student and is not audited.
 */
export async function coverageRollup(ports: ReadPorts & { casework: CaseworkStore; tables: FreshTables }, q: CoverageQuery) {
  const term = await termOf(ports.reads, undefined);
  const table = await ports.tables.of(`coverage ${term.id} ${term.started_at}`, ports.clock(), async () => {
    const high = (await ports.reads.riskList(term.id, { tier: "high" }, { all: true })).map(({ student_id, district_id, school_id, milestone, grade, risk, subgroups }) => ({ student_id, district_id, school_id, milestone, grade, risk, subgroups }));
    const open = [...new Set((await ports.casework.openPlansIn({ all: true })).map((p) => p.student_id))];
    return ports.tables.maker.coverage(high, open, term.suppression_threshold, await ports.reads.rollups(term.id, {}, { all: true }));
  });
  const cells = (await cellsOfPlace(ports, term, table.value.cells, q.place)).filter(
    (c) => (q.milestone === undefined || c.milestone === q.milestone) && (q.grade === undefined || c.grade === q.grade) && (q.dimension === undefined || c.dimension === q.dimension),
  );
  return { term: termSummary(term), suppression_threshold: term.suppression_threshold, computed_at: table.at.toISOString(), places_only_milestones: table.value.placesOnly, withheld_milestones: table.value.withheld, cells };
}
