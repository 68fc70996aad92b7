import { EwisError, inScope, rollupScope, type AccessScope, type Principal, type ScopeType } from "../core/index.ts";
import type { TermReads, TermRecord } from "../store/termStore.ts";

/** The place a casework table is asked of: the state, one district or one school. */
export type Place = { scope: "state" } | { scope: "district"; district_id: string } | { scope: "school"; school_id: string };

type Placed = { scope: ScopeType; district_id: string; school_id: string };

const isAt = (c: Placed, place: Place) =>
  c.scope === place.scope && (place.scope !== "district" || c.district_id === place.district_id) && (place.scope !== "school" || c.school_id === place.school_id);

/**
 * A place's cells of a state-wide table, within the caller's rollup scope. The state is for
 * state admins (403 for anyone else); a place outside the scope, or with no student scored this
 * term (the published rollups are the record of where students are), is a 404.
 */
export async function cellsOfPlace<C extends Placed>(ports: { principal: Principal; reads: TermReads }, term: TermRecord, cells: readonly C[], place: Place): Promise<C[]> {
  const scope: AccessScope = rollupScope(ports.principal);
  if (place.scope === "state" && !scope.all) throw new EwisError("forbidden", "the state's tables are for state admins");
  if (place.scope !== "state") {
    const where = place.scope === "district" ? { district_id: place.district_id } : { school_id: place.school_id };
    const published = await ports.reads.rollups(term.id, { scope: place.scope, ...where, grade: "all", dimension: "all" }, scope);
    if (published.length === 0) throw new EwisError("not_found", "no such place in your scope this term");
  }
  return cells.filter((c) => isAt(c, place) && inScope(scope, c));
}

/** `state`, `district:<id>` or `school:<id>`, as the query gives it. */
export function placeOf(text: string): Place {
  const [scope, id] = text.split(":") as ["state" | "district" | "school", string];
  return scope === "state" ? { scope } : scope === "district" ? { scope, district_id: id } : { scope, school_id: id };
}
