import { EwisError, interventionGroup, MOVEMENT_CAVEAT, NO_PLAN, planOpenBetween } from "../core/index.ts";
import type { CaseworkStore } from "../store/caseworkStore.ts";
import type { FreshTables } from "./freshTables.ts";
import { cellsOfPlace, type Place } from "./placeQuery.ts";
import { termOf, termSummary, type ReadPorts } from "./readTerm.ts";

export interface MovementQuery {
  place: Place;
  term?: number;
  milestone?: string;
}

/**
 * How a term's students moved from the tier they had in the term before, for those who had a
 * plan open at some time between the two publications and those who did not, by intervention:
 * for one place in the caller's rollup scope, suppressed as every rollup is, and labelled as the
 * description it is. An aggregate: it names no student and is not audited.
 */
export async function movementRollup(ports: ReadPorts & { casework: CaseworkStore; tables: FreshTables }, q: MovementQuery) {
  const term = await termOf(ports.reads, q.term);
  const previous = await ports.reads.previousTerm(term.school_year, term.label);
  if (!previous) throw new EwisError("not_found", `term ${term.school_year} ${term.label} is the first published: there is no earlier term to move from`);
  // Between the two publications as they stand: an earlier term re-run after this one would put
  // the window's start after its end, and it is then this term's publication alone.
  const from = previous.finished_at.slice(0, 10);
  const to = [term.started_at.slice(0, 10), from].sort()[1];
  const key = `movement ${term.id} ${term.started_at} ${previous.id} ${previous.finished_at}`;
  const table = await ports.tables.of(key, ports.clock(), async () => {
    const types = new Map<string, string[]>();
    for (const p of await ports.casework.plansIn({ all: true })) {
      if (planOpenBetween(p, from, to)) types.set(p.student_id, [...(types.get(p.student_id) ?? []), p.type_id]);
    }
    const scores = (await ports.reads.riskList(term.id, {}, { all: true })).map(({ student_id, district_id, school_id, milestone, previous_tier, tier }) => ({ student_id, district_id, school_id, milestone, previous_tier, tier }));
    const groups = [...types].map(([id, planned]) => [id, interventionGroup(planned)] as const);
    const totals = await ports.reads.rollups(term.id, { grade: "all", dimension: "all" }, { all: true });
    return ports.tables.maker.movement(scores, groups, NO_PLAN, term.suppression_threshold, totals);
  });
  const cells = (await cellsOfPlace(ports, term, table.value.cells, q.place)).filter((c) => q.milestone === undefined || c.milestone === q.milestone);
  return {
    term: termSummary(term),
    previous_term: termSummary(previous),
    plans_open_between: { from, to },
    descriptive_only: MOVEMENT_CAVEAT,
    suppression_threshold: term.suppression_threshold,
    computed_at: table.at.toISOString(),
    withheld_milestones: table.value.withheld,
    cells,
  };
}
