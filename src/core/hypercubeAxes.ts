/*
 * The linked table a hypercube moves in, and the coordinates a change may take on each of its
 * axes, for `hypercubeComplements.ts`: the category chain through every breakdown, and the
 * other places of a change around a school, a district or the state.
 */

/** Groups on three axes: place (state → districts → schools), category (everyone → grades and subgroup values), and the four counts of each. */
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

/** One axis of a change: the coordinates it moves, each up (+1) or down (−1). */
export type Axis = readonly (readonly [coordinate: number, sign: number])[];
/** A place of a change and the categories it moves there (a hypercube moves the same ones everywhere). */
export interface Line {
  place: number;
  sign: number;
  categories: Axis;
}
export const coordinates = (axis: Axis) => axis.map(([c]) => c);

/** A district or the state: only its best few by their own corners get a school below them tried. */
export const DESCENT_CANDIDATES = 4;

/**
 * The category coordinates of a change that moves the root: the root, and in every breakdown
 * one part (the cell's own where it is one), since each breakdown adds up to the root.
 */
export function categoryChain(table: LinkedTable, category: number, partCost: (c: number) => number): number[] | undefined {
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
export function placeOptions(
  table: LinkedTable,
  place: number,
  wide: boolean,
  lineCost: (p: number) => number,
  districts: (except: number) => readonly number[],
): { cost: number; places: Axis }[] {
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
  const districtsWithSchool = (except: number): [number, number, number][] =>
    cheapestChildren(districts(except), except, lineCost, DESCENT_CANDIDATES)
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
      for (const [d, s, k] of districtsWithSchool(parent)) {
        options.push({ cost: own + k, places: [[place, 1], [parent, 1], [d, -1], [s, -1]] });
      }
    }
  } else if (level === 1) {
    const [school, ks] = descent(place);
    if (ks === Infinity) return [];
    for (const [d, s, k] of districtsWithSchool(place)) options.push({ cost: ks + k, places: [[place, 1], [school, 1], [d, -1], [s, -1]] });
  } else {
    for (const [d, s, k] of districtsWithSchool(-1)) options.push({ cost: k, places: [[place, 1], [d, 1], [s, 1]] });
  }
  return options.sort((a, b) => a.cost - b.cost);
}

/** Up to `keep` children but `except`, with their costs, cheapest first; none that cannot be hidden. */
export function cheapestChildren(children: readonly number[], except: number, lineCost: (p: number) => number, keep: number): [number, number][] {
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
