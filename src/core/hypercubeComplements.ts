import { categoryChain, cheapestChildren, coordinates, DESCENT_CANDIDATES, placeOptions, type Axis, type Line, type LinkedTable } from "./hypercubeAxes.ts";

export type { LinkedTable };

/**
 * Complements chosen the way statistical agencies choose them (the hypercube method of
 * tau-Argus): a small count is safe when some change to the hidden cells keeps every published
 * total true, because then the published numbers fit more than one value of it. In a table
 * whose cells add up along several axes, the cheapest such change is a hypercube: pick, on each
 * axis, the cell's own coordinate and one other, and move the corners up and down in turn
 * (+t, −t, …). A sibling keeps the total above them unchanged, so on every axis a sibling is
 * tried before the total; a hypercube's corners are only hidden together, so every one of them
 * is protected too, and no equation, however combined, pins any of them.
 *
 * Here the axes are the place (state → districts → schools), the category (all students →
 * grades, and → the values of each subgroup dimension) and the count (group size → low,
 * moderate, high). Each small cell, from the state down, gets the corner set that hides the
 * least (see `cost`), reusing corners already hidden for free. A district's change must be
 * carried by one of its schools, and the state's by a district and a school, so those corners
 * come along; where two subgroup values of the state share no district, each goes down through
 * its own district, against a third value (`splitDescent`). A cell no hypercube reaches (a
 * category no sibling school has) is left to the general rule in `suppression.ts`.
 *
 * Counts are never negative, which an attacker knows too: a change whose corners include a
 * zero can only go one way, one with zeros on both its + and − corners cannot move at all, and
 * a zero corner may itself be pinned (a district's 0 says its schools' are 0), which undoes the
 * change. So a hypercube that can move is preferred to one that cannot (see `strengths`), a
 * zero corner costs more, and a small count the audit finds pinned that way gets a new
 * hypercube around the zeros (`avoid`).
 */

/** Cells are group × 4 + field: field 0 is the group's size, 1–3 the tiers that add up to it. */
export const FIELDS_PER_GROUP = 4;
const TIERS = [1, 2, 3];
/** The districts tried for a change that needs another district, out of all of them. */
const NEARBY_DISTRICTS = 12;
/** A zero outside the cell's own group, as a corner: an attacker may pin it and undo the change, so another is worth a hundred students. */
const ZERO_CORNER_COST = 100;
/** Added to a chain part that does not hold the cell's own students, so one that does wins. */
const OFF_PATH = 1e12;

/**
 * Hides hypercube complements for `cells` (every hidden cell on entry, the small ones, when not
 * given; `small` marks the small cells when more than they are hidden), cheapest first by `cost` (a hidden cell costs nothing; a zero beside the cell's own
 * group costs more, since an attacker may pin it), never through a cell of `avoid` (zeros an
 * attacker pins already). Returns `covered`, the cells that lie on a hypercube (no combination
 * of the published sums pins them, whatever else is hidden), `uncovered`, the cells no
 * hypercube reaches, and `changes`, the corner sets of the changes (a group hidden whole moves
 * as several), for `coveredDespite`.
 */
export function hypercubeComplements(
  table: LinkedTable,
  counts: ArrayLike<number>,
  hidden: Uint8Array,
  cost: Float64Array,
  options: { cells?: readonly number[]; avoid?: Uint8Array; small?: Uint8Array } = {},
): { covered: Uint8Array; uncovered: number[]; changes: number[][] } {
  const covered = new Uint8Array(hidden.length);
  const primaries: number[] = options.cells ? [...options.cells] : [];
  if (!options.cells) for (let cell = 0; cell < hidden.length; cell++) if (hidden[cell]) primaries.push(cell);
  // A group under the threshold (its size small, so all its numbers) moves its numbers together.
  const small = options.small ?? Uint8Array.from(hidden);
  const whole = (group: number) => small[group * FIELDS_PER_GROUP] === 1;
  const levelOf = (cell: number) => table.placeLevel[table.groupPlace[Math.floor(cell / FIELDS_PER_GROUP)]];
  const partOf = (cell: number) => (table.groupCategory[Math.floor(cell / FIELDS_PER_GROUP)] === table.categoryRoot ? 0 : 1);
  // From the state down: a total's complements are settled before the cells under it. At each
  // level everyone's cells go first: their change must reach into every breakdown, and the
  // subgroup cells it passes through need nothing more.
  primaries.sort((a, b) => levelOf(a) - levelOf(b) || partOf(a) - partOf(b) || a - b);

  const search: Search = { table, counts, hidden, cost, avoid: options.avoid };
  const uncovered: number[] = [];
  const changes: number[][] = [];
  for (const cell of primaries) {
    if (covered[cell]) continue;
    const cube = cheapestCube(search, cell, whole(Math.floor(cell / FIELDS_PER_GROUP)));
    if (!cube) {
      uncovered.push(cell);
      continue;
    }
    changes.push(...cube);
    for (const corners of cube) {
      for (const c of corners) {
        hidden[c] = 1;
        covered[c] = 1;
      }
    }
  }
  return { covered, uncovered, changes };
}

/** The cells on a change none of whose corners is a zero of `pinned`: those an attacker who knows them still cannot pin. */
export function coveredDespite(changes: readonly (readonly number[])[], pinned: Uint8Array): Uint8Array {
  const covered = new Uint8Array(pinned.length);
  for (const corners of changes) if (!corners.some((c) => pinned[c])) for (const c of corners) covered[c] = 1;
  return covered;
}

interface Search {
  table: LinkedTable;
  counts: ArrayLike<number>;
  hidden: Uint8Array;
  cost: Float64Array;
  /** Zeros an attacker pins: never a corner. */
  avoid?: Uint8Array;
}

/** How well a change protects, strongest first: no zeros that would have to move against each other; or only that the sums alone cannot pin it. */
const strengths = ["movable", "linear"] as const;

/** The cheapest change protecting `cell`, as the corner sets of the one or more changes it is. */
function cheapestCube({ table, counts, hidden, cost, avoid }: Search, cell: number, whole: boolean): number[][] | undefined {
  const group = Math.floor(cell / FIELDS_PER_GROUP);
  const field = cell % FIELDS_PER_GROUP;
  const block = table.groupBlock[group];
  const place = table.groupPlace[group];
  const category = table.groupCategory[group];
  const at = group * FIELDS_PER_GROUP;

  /** What hiding the corners at one place costs; Infinity where a corner has no students, or is a zero known to be pinned. */
  const lineCost = (p: number, categories: readonly number[], fields: readonly number[]): number => {
    let sum = 0;
    for (const c of categories) {
      const g = table.groupAt(block, p, c);
      if (g < 0) return Infinity;
      for (const f of fields) {
        const corner = g * FIELDS_PER_GROUP + f;
        if (avoid?.[corner]) return Infinity;
        if (counts[corner] === 0 && g !== group) sum += ZERO_CORNER_COST;
        if (!hidden[corner]) sum += cost[corner];
      }
    }
    return sum;
  };

  /** Whether the change can move without a count going below zero: not if a zero corner moves up and another down. */
  const movable = (lines: readonly Line[], fields: Axis): boolean => {
    if (whole) return true; // several changes at once, each through the group's counts above 0
    let up = Infinity; // the smallest corner moving up: how far the change can go down
    let down = Infinity;
    for (const { place: p, sign: sp, categories } of lines) {
      for (const [c, sc] of categories) {
        const g = table.groupAt(block, p, c);
        for (const [f, sf] of fields) {
          const v = counts[g * FIELDS_PER_GROUP + f];
          if (sp * sc * sf > 0) up = Math.min(up, v);
          else down = Math.min(down, v);
        }
      }
    }
    return up > 0 || down > 0;
  };

  const fieldOptions: Axis[] = whole
    ? [[[0, 1], ...TIERS.filter((t) => !avoid?.[at + t]).map((t): readonly [number, number] => [t, 1])]] // several changes at once, signs unused: see `movable`
    : field === 0
      ? TIERS.map((t): Axis => [[0, 1], [t, 1]])
      : [...TIERS.filter((t) => t !== field).map((t): Axis => [[field, 1], [t, -1]]), [[field, 1], [0, 1]]];
  const categoryOptions = (wide: boolean, fields: readonly number[]): Axis[] => {
    const breakdown = table.breakdownOf[category];
    const options: Axis[] = breakdown < 0 ? [] : table.breakdowns[breakdown].filter((c) => c !== category).map((c): Axis => [[category, 1], [c, -1]]);
    if (wide || breakdown < 0) {
      // Through the parts that hold the cell's own students where it can: their cells are hidden
      // already, and covered by this change need no change of their own.
      const chain = categoryChain(table, category, (c) => {
        const g = table.groupAt(block, place, c);
        const k = lineCost(place, [c], fields);
        return g >= 0 && hidden[g * FIELDS_PER_GROUP + field] ? k : k + OFF_PATH;
      });
      if (chain) options.push(chain.map((c): readonly [number, number] => [c, 1]));
    }
    return options;
  };

  // Another district for the change: only the few whose own cell costs least are tried, chosen
  // once for the cell rather than for every candidate (a state has hundreds of districts).
  const state = table.placeLevel[place] === 0 ? place : table.placeLevel[place] === 1 ? table.placeParent[place] : table.placeParent[table.placeParent[place]];
  const nearby = new Map<number, readonly number[]>();
  const districts = (except: number) => {
    let list = nearby.get(except);
    if (!list) {
      const own = (d: number) => lineCost(d, [category], [field]);
      list = cheapestChildren(table.placeChildren[state], except, own, NEARBY_DISTRICTS).map(([d]) => d);
      nearby.set(except, list);
    }
    return list;
  };

  /**
   * The state's swap of two subgroup values no district has both of: each value's change goes
   * down through its own district and school, against a third value (the bridge) that both
   * districts have and whose state number stays shown: state (c up, c2 down), district 1 and a
   * school in it (c up, bridge down), district 2 and a school in it (c2 down, bridge up).
   */
  const splitDescent = (c: number, c2: number, costAt: (p: number, categories: readonly number[]) => number, budget: number) => {
    let found: { cost: number; lines: Line[] } | undefined;
    for (const bridge of table.breakdowns[table.breakdownOf[c]]) {
      if (bridge === c || bridge === c2) continue;
      const leg = (value: number, except: number): [number, number, number] | undefined => {
        let pick: [number, number, number] | undefined;
        for (const [d, k] of cheapestChildren(table.placeChildren[place], except, (d) => costAt(d, [value, bridge]), DESCENT_CANDIDATES)) {
          for (const s of table.placeChildren[d]) {
            const ks = costAt(s, [value, bridge]);
            if (ks < Infinity && (!pick || k + ks < pick[2])) pick = [d, s, k + ks];
          }
        }
        return pick;
      };
      const up = leg(c, -1);
      if (!up) continue;
      const down = leg(c2, up[0]);
      if (!down) continue;
      const cost = up[2] + down[2];
      if (cost >= Math.min(budget, found?.cost ?? Infinity)) continue;
      const upLine: Axis = [[c, 1], [bridge, -1]];
      const downLine: Axis = [[c2, -1], [bridge, 1]];
      found = {
        cost,
        lines: [
          { place, sign: 1, categories: [[c, 1], [c2, -1]] },
          { place: up[0], sign: 1, categories: upLine },
          { place: up[1], sign: 1, categories: upLine },
          { place: down[0], sign: 1, categories: downLine },
          { place: down[1], sign: 1, categories: downLine },
        ],
      };
    }
    return found;
  };

  let best: { cost: number; lines: Line[]; fields: Axis } | undefined;
  for (const strength of strengths) {
    for (const wide of [false, true]) {
      // Cheapest at the cell's own place first: the other places then rarely beat the best so far.
      const candidates: { own: number; categories: Axis; fields: Axis }[] = [];
      for (const fields of fieldOptions) {
        for (const categories of categoryOptions(wide, coordinates(fields))) {
          const own = lineCost(place, coordinates(categories), coordinates(fields));
          if (own < Infinity) candidates.push({ own, categories, fields });
        }
      }
      candidates.sort((a, b) => a.own - b.own);
      for (const { own, categories, fields } of candidates) {
        if (best && own >= best.cost) break;
        const [cs, fs] = [coordinates(categories), coordinates(fields)];
        for (const option of placeOptions(table, place, wide, (p) => lineCost(p, cs, fs), districts)) {
          const total = own + option.cost;
          if (best && total >= best.cost) break;
          const lines = option.places.map(([p, sign]): Line => ({ place: p, sign, categories }));
          if (strength === "movable" && !movable(lines, fields)) continue;
          best = { cost: total, lines, fields };
          break;
        }
        if (table.placeLevel[place] === 0 && categories.length === 2 && categories[1][1] === -1) {
          const split = splitDescent(categories[0][0], categories[1][0], (p, cats) => lineCost(p, cats, fs), best ? best.cost - own : Infinity);
          if (split && (strength !== "movable" || movable(split.lines, fields))) best = { cost: own + split.cost, lines: split.lines, fields };
        }
      }
      if (best) break;
    }
    if (best) break;
  }
  if (!best) return undefined;
  const chosen = best;
  const cornersOf = (fields: readonly number[]) => {
    const corners: number[] = [];
    for (const { place: p, categories } of chosen.lines) {
      for (const [c] of categories) {
        const g = table.groupAt(block, p, c);
        for (const f of fields) corners.push(g * FIELDS_PER_GROUP + f);
      }
    }
    return corners;
  };
  const fields = coordinates(best.fields);
  if (!whole) return [cornersOf(fields)];
  // A whole group's change is several: its size with its largest tier, each other tier against that one.
  const largest = fields.slice(1).reduce((a, b) => (counts[at + b] > counts[at + a] ? b : a));
  return fields.filter((f) => f !== largest).map((f) => cornersOf([f, largest]));
}
