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
 * come along. A cell no hypercube reaches (a category no sibling school has) is left to the
 * general rule in `suppression.ts`.
 *
 * Counts are never negative, which an attacker knows too: a change whose corners include a
 * zero can only go one way, and one with zeros on both its + and − corners cannot move at all.
 * Such a hypercube is used only where no other exists (where the table is mostly zeros).
 */
export interface LinkedTable {
  /** The group at (block, place, category), or −1 where no student is: a known zero. */
  groupAt(block: number, place: number, category: number): number;
  groupBlock: Int32Array;
  groupPlace: Int32Array;
  groupCategory: Int32Array;
  /** Place tree: parent (−1 for the state), children, level (0 state, 1 district, 2 school). */
  placeParent: Int32Array;
  placeChildren: readonly (readonly number[])[];
  placeLevel: Uint8Array;
  /** Category tree: the one root ("all"), and the breakdowns whose parts add up to it. */
  categoryRoot: number;
  breakdownOf: Int32Array; // −1 for the root
  breakdowns: readonly (readonly number[])[];
}

/** Cells are group × 4 + field: field 0 is the group's size, 1–3 the tiers that add up to it. */
export const FIELDS_PER_GROUP = 4;
const TIERS = [1, 2, 3];
/** A district or the state: only its best few by their own corners get a school below them tried. */
const DESCENT_CANDIDATES = 4;
/** Added to a chain part that does not hold the cell's own students, so one that does wins. */
const OFF_PATH = 1e12;

/** One axis of a change: the coordinates it moves, each up (+1) or down (−1). */
type Axis = readonly (readonly [coordinate: number, sign: number])[];
const coordinates = (axis: Axis) => axis.map(([c]) => c);

/**
 * Hides hypercube complements for every hidden cell of `hidden` (the small ones, on entry),
 * cheapest first by `cost` (a hidden cell costs nothing). Returns `covered`, the cells that lie
 * on a hypercube (no combination of the published sums can pin them, whatever else is hidden),
 * and `uncovered`, the small cells no hypercube reaches.
 */
export function hypercubeComplements(
  table: LinkedTable,
  counts: ArrayLike<number>,
  hidden: Uint8Array,
  cost: Float64Array,
): { covered: Uint8Array; uncovered: number[] } {
  const covered = new Uint8Array(hidden.length);
  const primaries: number[] = [];
  for (let cell = 0; cell < hidden.length; cell++) if (hidden[cell]) primaries.push(cell);
  // A group hidden whole (too few students) moves all four of its numbers together.
  const whole = new Uint8Array(hidden.length / FIELDS_PER_GROUP);
  for (let g = 0; g < whole.length; g++) {
    const at = g * FIELDS_PER_GROUP;
    whole[g] = hidden[at] & hidden[at + 1] & hidden[at + 2] & hidden[at + 3];
  }
  const levelOf = (cell: number) => table.placeLevel[table.groupPlace[Math.floor(cell / FIELDS_PER_GROUP)]];
  const partOf = (cell: number) => (table.groupCategory[Math.floor(cell / FIELDS_PER_GROUP)] === table.categoryRoot ? 0 : 1);
  // From the state down: a total's complements are settled before the cells under it. At each
  // level everyone's cells go first: their change must reach into every breakdown, and the
  // subgroup cells it passes through need nothing more.
  primaries.sort((a, b) => levelOf(a) - levelOf(b) || partOf(a) - partOf(b) || a - b);

  const uncovered: number[] = [];
  for (const cell of primaries) {
    if (covered[cell]) continue;
    const cube = cheapestCube({ table, counts, hidden, cost }, cell, whole[Math.floor(cell / FIELDS_PER_GROUP)] === 1);
    if (!cube) {
      uncovered.push(cell);
      continue;
    }
    for (const c of cube) {
      hidden[c] = 1;
      covered[c] = 1;
    }
  }
  return { covered, uncovered };
}

interface Search {
  table: LinkedTable;
  counts: ArrayLike<number>;
  hidden: Uint8Array;
  cost: Float64Array;
}

function cheapestCube({ table, counts, hidden, cost }: Search, cell: number, wholeGroup: boolean): number[] | undefined {
  const group = Math.floor(cell / FIELDS_PER_GROUP);
  const field = cell % FIELDS_PER_GROUP;
  const block = table.groupBlock[group];
  const place = table.groupPlace[group];
  const category = table.groupCategory[group];

  /** What hiding the corners at one place, for these categories and fields, costs; Infinity where a corner has no students. */
  const lineCost = (p: number, categories: readonly number[], fields: readonly number[]): number => {
    let sum = 0;
    for (const c of categories) {
      const g = table.groupAt(block, p, c);
      if (g < 0) return Infinity;
      for (const f of fields) {
        const at = g * FIELDS_PER_GROUP + f;
        if (!hidden[at]) sum += cost[at];
      }
    }
    return sum;
  };

  /**
   * Whether the change can move without a count going below zero: not if it has a zero corner
   * moving up and another moving down. (A group hidden whole is left to the linear rule: its
   * zeros are zeros of a column that is mostly empty, which no change could lift.)
   */
  const movable = (places: Axis, categories: Axis, fields: Axis): boolean => {
    if (wholeGroup) return true;
    let up = Infinity; // the smallest corner moving up: how far the change can go down
    let down = Infinity;
    for (const [p, sp] of places) {
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

  const fieldOptions: Axis[] = wholeGroup
    ? [[[0, 1], [1, 1], [2, 1], [3, 1]]] // several changes at once: their signs are not one vector's
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

  let best: { cost: number; places: Axis; categories: Axis; fields: Axis } | undefined;
  // A change that can move both ways is wanted; where none can, the cheapest that the sums
  // alone cannot pin, as the general rule would give.
  for (const [wide, mustMove] of [[false, true], [true, true], [false, false], [true, false]]) {
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
      for (const option of placeOptions(table, place, wide, (p) => lineCost(p, cs, fs))) {
        const total = own + option.cost;
        if (best && total >= best.cost) break;
        if (mustMove && !movable(option.places, categories, fields)) continue;
        best = { cost: total, places: option.places, categories, fields };
        break;
      }
    }
    if (best) break;
  }
  if (!best) return undefined;
  const corners: number[] = [];
  for (const [p] of best.places) {
    for (const [c] of best.categories) {
      const g = table.groupAt(block, p, c);
      for (const [f] of best.fields) corners.push(g * FIELDS_PER_GROUP + f);
    }
  }
  return corners;
}

/**
 * The category coordinates of a change that moves the root: the root, and in every breakdown
 * one part (the cell's own where it is one), since each breakdown adds up to the root.
 */
function categoryChain(table: LinkedTable, category: number, partCost: (c: number) => number): number[] | undefined {
  const chain = [table.categoryRoot];
  const own = table.breakdownOf[category];
  if (own >= 0) chain.push(category);
  for (let b = 0; b < table.breakdowns.length; b++) {
    if (b === own) continue;
    let pick = -1;
    let pickCost = Infinity;
    for (const c of table.breakdowns[b]) {
      const k = partCost(c);
      if (k < pickCost) [pick, pickCost] = [c, k];
    }
    if (pick < 0) return undefined;
    chain.push(pick);
  }
  return chain;
}

/**
 * The place axes of the changes around `place`, cheapest first, each with what its corners
 * away from `place` cost: a sibling school (the school up, the sibling down); for a district,
 * another district, each with a school under it to carry the change; for the state, a district
 * and a school under it. `wide` lets a school's change climb to its district and go to another.
 */
function placeOptions(table: LinkedTable, place: number, wide: boolean, lineCost: (p: number) => number): { cost: number; places: Axis }[] {
  const level = table.placeLevel[place];
  const parent = table.placeParent[place];
  const options: { cost: number; places: Axis }[] = [];
  /** The cheapest school under a district, with its cost. */
  const descent = (district: number): [number, number] => {
    let pick = -1;
    let pickCost = Infinity;
    for (const s of table.placeChildren[district]) {
      const k = lineCost(s);
      if (k < pickCost) [pick, pickCost] = [s, k];
    }
    return [pick, pickCost];
  };
  /** Districts but `except`, each with its cheapest school: the best few by the district's own corners. */
  const districtsWithSchool = (state: number, except: number): [number, number, number][] =>
    cheapestChildren(table.placeChildren[state], except, lineCost, DESCENT_CANDIDATES)
      .map(([d, k]): [number, number, number] => {
        const [s, ks] = descent(d);
        return [d, s, k + ks];
      })
      .filter(([, , k]) => k < Infinity);

  if (level === 2) {
    for (const sibling of table.placeChildren[parent]) {
      if (sibling === place) continue;
      const k = lineCost(sibling);
      if (k < Infinity) options.push({ cost: k, places: [[place, 1], [sibling, -1]] });
    }
    if (wide && options.length === 0) {
      const own = lineCost(parent);
      for (const [d, s, k] of districtsWithSchool(table.placeParent[parent], parent)) {
        options.push({ cost: own + k, places: [[place, 1], [parent, 1], [d, -1], [s, -1]] });
      }
    }
  } else if (level === 1) {
    const [school, ks] = descent(place);
    if (ks === Infinity) return [];
    for (const [d, s, k] of districtsWithSchool(parent, place)) options.push({ cost: ks + k, places: [[place, 1], [school, 1], [d, -1], [s, -1]] });
  } else {
    for (const [d, s, k] of districtsWithSchool(place, -1)) options.push({ cost: k, places: [[place, 1], [d, 1], [s, 1]] });
  }
  return options.sort((a, b) => a.cost - b.cost);
}

/** Up to `keep` children but `except`, with their costs, cheapest first; none that cannot be hidden. */
function cheapestChildren(children: readonly number[], except: number, lineCost: (p: number) => number, keep: number): [number, number][] {
  const kept: [number, number][] = [];
  for (const c of children) {
    if (c === except) continue;
    const k = lineCost(c);
    if (k === Infinity || (kept.length === keep && k >= kept[keep - 1][1])) continue;
    let at = kept.length === keep ? keep - 1 : kept.length;
    while (at > 0 && kept[at - 1][1] > k) {
      kept[at] = kept[at - 1];
      at--;
    }
    kept[at] = [c, k];
  }
  return kept;
}
