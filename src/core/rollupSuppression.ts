import { EwisError } from "./errors.ts";
import { suppressCells } from "./suppression.ts";
import { determinedCells, relationsByCell } from "./disclosureAudit.ts";
import { RelationListBuilder, type RelationList } from "./relationList.ts";
import { coveredDespite, FIELDS_PER_GROUP, hypercubeComplements, type LinkedTable } from "./hypercubeComplements.ts";
import { ALL, rollupKeyString, type GroupKey, type RollupGroup, type ScopeType } from "./rollupKey.ts";
import { suppressionLoss, type SuppressionLoss } from "./suppressionLoss.ts";

export type { SuppressionLoss };

/**
 * Which rollup numbers are hidden, and why. The rule: no count from fewer than `threshold`
 * students is shown (a group under the threshold hides every number, its zeros too: "none of
 * these 4 students is low risk" says as much as a count), and none can be worked out from the
 * numbers that are shown, through any of the sums that tie them (tiers add up to their group,
 * subgroup values and grades to everyone, schools to their district, districts to the state).
 *
 * 1. The small cells (`smallCells`, the reason a page gives).
 * 2. Hypercube complements (`hypercubeComplements.ts`): for each small cell, from the state
 *    down, the corner set that hides the fewest students, a school beside it before its
 *    district, a sibling subgroup before everyone, a tier count before the group's size.
 * 3. The general rule (`suppression.ts`) for what no hypercube reaches, then the exact audit
 *    (`disclosureAudit.ts`), which proves no hidden number is pinned by the shown ones.
 * 4. The same against an attacker who knows counts are never negative (`zeroDeduction.ts`):
 *    with the zeros it can pin known, no small count above 0 may be pinned.
 * Groups come ordered by key; the masks are 4 cells a group (size, low, moderate, high).
 */
export function suppressRollups(
  groups: readonly RollupGroup[],
  threshold: number,
  elsewhere?: Elsewhere,
): { hidden: Uint8Array; small: Uint8Array; loss: SuppressionLoss[]; exposed: number[] } {
  const counts = new Int32Array(groups.length * FIELDS_PER_GROUP);
  groups.forEach((g, i) => counts.set(g.counts, i * FIELDS_PER_GROUP));
  const small = smallCells(groups, threshold);
  const known = elsewhere?.shown;
  const fixed = elsewhere ? (elsewhere.fixed ?? elsewhere.shown) : undefined;
  // A number every reader knows is not small here: hiding it would protect nothing.
  if (known) for (let c = 0; c < small.length; c++) if (known[c]) small[c] = 0;
  const chosen = Uint8Array.from(small);
  const cost = complementCost(groups, counts, threshold);
  if (elsewhere) {
    for (let c = 0; c < chosen.length; c++) {
      if (elsewhere.hidden[c] && !known?.[c]) chosen[c] = 1;
      if (known?.[c]) cost[c] = SHOWN_ELSEWHERE_COST;
    }
  }
  const relations = relationsOf(groups);
  const byCell = relationsByCell(counts.length, relations);
  const table = linkedTableOf(groups);
  // A complement a reader knows from elsewhere hides nothing: no hypercube goes through one.
  const { covered, changes } = hypercubeComplements(table, counts, chosen, cost, { avoid: known });
  const hidden = suppressCells(counts, relations, threshold, {
    primary: chosen,
    cost,
    proven: covered,
    provenDespite: (pinned) => coveredDespite(changes, pinned),
    small,
    fixed,
    // Beside published numbers a table may have no protection at all; its caller has a
    // coarser one to try, so it gives up sooner than the rollups themselves would.
    maxRounds: elsewhere ? BESIDE_ROUNDS : undefined,
    relationsOf: byCell,
    // A small count pinned through zeros an attacker knows gets a hypercube around them.
    reprotect: (cells, pinned, hidden) => {
      const avoid = known ? pinned.map((p, c) => p | known[c]) : pinned;
      const cube = hypercubeComplements(table, counts, Uint8Array.from(hidden), cost, { cells, avoid, small });
      return { corners: cube.changes.flat(), failed: cube.uncovered };
    },
  });
  // Hidden here but shown elsewhere, a number protects nothing: the audit again, with those
  // known, names every hidden cell a reader of both tables could then work out.
  let exposed: number[] = [];
  if (known && hidden.some((h, c) => h === 1 && known[c] === 1)) exposed = determinedCells(hidden.map((h, c) => h & (known[c] ^ 1)), relations);
  return { hidden, small, loss: suppressionLoss(groups, threshold, hidden, small), exposed };
}

/**
 * A table tied to numbers published elsewhere (casework's tables to the term's rollups): cells
 * hidden there must be hidden here too, and protected as hidden ones are, or this table would
 * give them away; cells shown there are known to every reader, so hiding them here would
 * protect nothing and they are never hidden. `exposed` names what a reader of both could still
 * work out, should a hypercube have hidden one anyway (the caller withholds it).
 * Masks of 4 cells a group, as the result's.
 */
const BESIDE_ROUNDS = 12;

export interface Elsewhere {
  hidden: Uint8Array;
  shown: Uint8Array;
  /**
   * Of `shown`, the cells never to hide (all of them when not given). Any other shown cell is
   * hidden only when nothing cheaper will do, and `exposed` is then checked with it known.
   */
  fixed?: Uint8Array;
}

const SHOWN_ELSEWHERE_COST = 1e9;

/**
 * A table suppressed beside the rollups, or undefined where that cannot be done: the numbers the
 * rollups show leave no way to protect a small one here (suppression does not settle), or a
 * reader of both could still work one out (`exposed`).
 */
export function suppressedBeside<T extends { exposed: readonly unknown[] }>(suppress: () => T): T | undefined {
  try {
    const made = suppress();
    return made.exposed.length === 0 ? made : undefined;
  } catch (error) {
    if (error instanceof EwisError && error.code === "insufficient_data") return undefined;
    throw error;
  }
}

/** The cells hidden for being small: a count of 1 to `threshold` − 1, and every number of a group under `threshold`. */
export function smallCells(groups: readonly RollupGroup[], threshold: number): Uint8Array {
  const small = new Uint8Array(groups.length * FIELDS_PER_GROUP);
  groups.forEach((g, i) => {
    for (let f = 0; f < FIELDS_PER_GROUP; f++) {
      const n = g.counts[f];
      if (g.counts[0] < threshold || (n > 0 && n < threshold)) small[i * FIELDS_PER_GROUP + f] = 1;
    }
  });
  return small;
}

const LEVEL = { state: 0, district: 1, school: 2 } as const;
/** Hiding a district's number costs as much as a hundred schools', the state's ten thousand: totals go last. */
const LEVEL_WEIGHT = [10_000, 100, 1];
/** A group's size is its headline: hiding it costs more than a tier count of the same value. */
const SIZE_WEIGHT = 4;

/**
 * What hiding each cell loses: the students in it (a zero counts as a threshold's worth: it
 * protects little), weighted up for sizes and for district and state totals.
 */
export function complementCost(groups: readonly RollupGroup[], counts: Int32Array, threshold: number): Float64Array {
  const cost = new Float64Array(counts.length);
  groups.forEach((g, i) => {
    const weight = LEVEL_WEIGHT[LEVEL[g.key.scope]];
    for (let f = 0; f < FIELDS_PER_GROUP; f++) {
      const n = counts[i * FIELDS_PER_GROUP + f];
      cost[i * FIELDS_PER_GROUP + f] = (n > 0 ? n : threshold) * weight * (f === 0 ? SIZE_WEIGHT : 1);
    }
  });
  return cost;
}

/** The groups as a table on three axes: place (state, districts, schools), category, count. */
export function linkedTableOf(groups: readonly RollupGroup[]): LinkedTable {
  const ids = () => {
    const map = new Map<string, number>();
    return { map, id: (text: string, onNew?: (id: number) => void) => {
      let id = map.get(text);
      if (id === undefined) {
        map.set(text, (id = map.size));
        onNew?.(id);
      }
      return id;
    } };
  };
  const places = ids();
  const categories = ids();
  const blocks = ids();
  const placeParent: number[] = [];
  const placeLevel: number[] = [];
  const placeOf = (scope: ScopeType, district: string, school: string): number =>
    places.id(`${scope}\u0000${district}\u0000${school}`, (id) => {
      placeLevel[id] = LEVEL[scope];
      placeParent[id] = scope === "state" ? -1 : scope === "district" ? placeOf("state", "", "") : placeOf("district", district, "");
    });
  const breakdownIds = ids();
  const breakdownOf: number[] = [];
  const breakdowns: number[][] = [];
  const categoryOf = (k: GroupKey): number =>
    categories.id(`${k.grade}\u0000${k.dimension}\u0000${k.value}`, (id) => {
      const axis = k.grade !== ALL ? "grade" : k.dimension !== ALL ? k.dimension : undefined;
      if (axis === undefined) return void (breakdownOf[id] = -1);
      const b = breakdownIds.id(axis, (b) => breakdowns.push([]));
      breakdownOf[id] = b;
      breakdowns[b].push(id);
    });
  const groupBlock = new Int32Array(groups.length);
  const groupPlace = new Int32Array(groups.length);
  const groupCategory = new Int32Array(groups.length);
  groups.forEach((g, i) => {
    groupBlock[i] = blocks.id(g.key.milestone);
    groupPlace[i] = placeOf(g.key.scope, g.key.district_id, g.key.school_id);
    groupCategory[i] = categoryOf(g.key);
  });
  const root = categories.map.get(`${ALL}\u0000${ALL}\u0000${ALL}`) ?? -1;
  const placeChildren: number[][] = Array.from({ length: places.map.size }, () => []);
  placeParent.forEach((p, id) => p >= 0 && placeChildren[p].push(id));
  const P = places.map.size;
  const C = categories.map.size;
  // Dense: every (milestone, place, category) slot, −1 where no group is. A state of a million
  // students has about a million slots, and the search looks them up millions of times.
  const at = new Int32Array(blocks.map.size * P * C).fill(-1);
  groups.forEach((_, i) => (at[(groupBlock[i] * P + groupPlace[i]) * C + groupCategory[i]] = i));
  return {
    groupAt: (block, place, category) => at[(block * P + place) * C + category],
    groupBlock,
    groupPlace,
    groupCategory,
    placeParent: Int32Array.from(placeParent),
    placeChildren,
    placeLevel: Uint8Array.from(placeLevel),
    categoryRoot: root,
    breakdownOf: Int32Array.from(breakdownOf),
    breakdowns,
  };
}

/** Every additive tie a reader could subtract along: tiers → group, values → everyone, grades → all grades, schools → district → state. */
export function relationsOf(groups: readonly RollupGroup[]): RelationList {
  const index = new Map<string, number>();
  groups.forEach((g, i) => index.set(rollupKeyString(g.key), i));
  const ties = new Map<string, { total: number; parts: number[] }>();
  const tie = (part: number, kind: string, totalKey: GroupKey) => {
    const total = index.get(rollupKeyString(totalKey));
    if (total === undefined) return;
    const id = `${total}:${kind}`;
    const entry = ties.get(id);
    if (entry) entry.parts.push(part);
    else ties.set(id, { total, parts: [part] });
  };
  const relations = new RelationListBuilder();
  groups.forEach((g, i) => {
    relations.add(i * 4, [i * 4 + 1, i * 4 + 2, i * 4 + 3]);
    const k = g.key;
    if (k.dimension !== ALL) tie(i, k.dimension, { ...k, dimension: ALL, value: ALL });
    if (k.grade !== ALL) tie(i, "grade", { ...k, grade: ALL });
    if (k.scope === "school") tie(i, "scope", { ...k, scope: "district", school_id: "" });
    if (k.scope === "district") tie(i, "scope", { ...k, scope: "state", district_id: "" });
  });
  for (const { total, parts } of ties.values()) {
    for (let f = 0; f < 4; f++) relations.add(total * 4 + f, parts.map((p) => p * 4 + f));
  }
  return relations.finish();
}
