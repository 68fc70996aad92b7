import { EwisError, inScope, rollupScope, type AccessScope, type Principal, type ScopeType } from "../core/index.ts";

/** The place a casework table is asked of: the state, one district or one school. */
export type Place = { scope: "state" } | { scope: "district"; district_id: string } | { scope: "school"; school_id: string };

type Placed = { scope: ScopeType; district_id: string; school_id: string };

const isAt = (c: Placed, place: Place) =>
  c.scope === place.scope && (place.scope !== "district" || c.district_id === place.district_id) && (place.scope !== "school" || c.school_id === place.school_id);

/**
 * A place's cells of a state-wide table, within the caller's rollup scope. The state is for
 * state admins (403 for anyone else); a place outside the scope, or absent from the table, is a
 * 404, told apart from nothing: `absent` says what a missing place means for this table.
 */
export function cellsOfPlace<C extends Placed>(principal: Principal, cells: readonly C[], place: Place, absent: string): C[] {
  const scope: AccessScope = rollupScope(principal);
  if (place.scope === "state" && !scope.all) throw new EwisError("forbidden", "the state's tables are for state admins");
  const here = cells.filter((c) => isAt(c, place) && inScope(scope, c));
  if (here.length === 0 && place.scope !== "state") throw new EwisError("not_found", `no such place in your scope this term, or ${absent}`);
  return here;
}

/** `state`, `district:<id>` or `school:<id>`, as the query gives it. */
export function placeOf(text: string): Place {
  const [scope, id] = text.split(":") as ["state" | "district" | "school", string];
  return scope === "state" ? { scope } : scope === "district" ? { scope, district_id: id } : { scope, school_id: id };
}
