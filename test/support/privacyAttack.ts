import type { AdditiveRelation, RollupCell } from "../../src/core/index.ts";
import { exactlyDeterminedCells as determinedCells } from "./exactAudit.ts";

const fields = ["n", "low", "moderate", "high"] as const;

/**
 * An attacker's view of published rollups: every additive tie a reader can build from the keys
 * alone (tiers → group, subgroup values → everyone, grades → all grades, schools → district →
 * state), built here independently of the production code. Returns each tie in which exactly one
 * number is hidden, i.e. each hidden count recoverable by one subtraction; none is allowed.
 */
export function recoverableCells(cells: readonly RollupCell[]): string[] {
  const { hidden, relations, label } = attackerSystem(cells);
  const found: string[] = [];
  for (const { total, parts } of relations) {
    const open = [total, ...parts].filter((c) => hidden[c]);
    if (open.length === 1) found.push(label(open[0]));
  }
  return found;
}

/** Every visible count must be 0 or at least the threshold. */
export function smallVisibleCounts(cells: readonly RollupCell[], threshold: number): string[] {
  return cells.flatMap((c) => fields.filter((f) => c[f] !== null && (c[f] as number) > 0 && (c[f] as number) < threshold).map((f) => `${JSON.stringify(c)} ${f}`));
}

/**
 * The stronger attack: every hidden count that all the published equations solved together
 * pin down (rows, columns, grades and places at once), found by exact integer elimination
 * (./exactAudit.ts, sharing no code with the product's audit) over the relations rebuilt from
 * the keys alone. Returns the cells it recovers; none is allowed.
 */
export function solvableCells(cells: readonly RollupCell[]): string[] {
  const { hidden, relations, label } = attackerSystem(cells);
  return determinedCells(hidden, relations).map(label);
}

/**
 * The attacker who also knows that counts are never negative: where a shown total already
 * equals the shown parts beside it, every hidden part is 0; those zeros are known in turn,
 * until nothing more follows. Then the exact elimination runs over what is still unknown.
 * Returns every small count above 0 (by `truth`, the unsuppressed rollups) so pinned; none is
 * allowed. A small group's zero may be pinned: a zero shown for the larger group around it says
 * as much, and the rule allows that zero to be shown.
 */
export function solvableWithZeros(cells: readonly RollupCell[], truth: readonly RollupCell[]): string[] {
  const { hidden, relations, label } = attackerSystem(cells);
  const value = new Float64Array(hidden.length);
  const small = new Uint8Array(hidden.length);
  const trueOf = new Map(truth.map((c) => [keyOf(c), c]));
  cells.forEach((c, i) => {
    const t = trueOf.get(keyOf(c));
    if (!t) throw new Error(`no true counts for ${keyOf(c)}`);
    fields.forEach((f, k) => {
      value[i * 4 + k] = c[f] ?? (t[f] as number);
      small[i * 4 + k] = (t.n as number) < 10 || ((t[f] as number) > 0 && (t[f] as number) < 10) ? 1 : 0;
    });
  });
  const unknown = Uint8Array.from(hidden);
  for (let changed = true; changed; ) {
    changed = false;
    for (const { total, parts } of relations) {
      if (unknown[total]) continue;
      const open = parts.filter((p) => unknown[p]);
      if (open.length === 0) continue;
      // Only what the attacker sees: the shown total less the shown (or already pinned) parts.
      const rest = value[total] - parts.filter((p) => !unknown[p]).reduce((a, p) => a + value[p], 0);
      if (rest !== 0) continue;
      for (const p of open) unknown[p] = 0;
      changed = true;
    }
  }
  return determinedCells(unknown, relations)
    .filter((cell) => small[cell] && value[cell] > 0)
    .map(label);
}

const keyOf = (c: Pick<RollupCell, "scope" | "district_id" | "school_id" | "milestone" | "grade" | "dimension" | "value">) =>
  [c.scope, c.district_id, c.school_id, c.milestone, c.grade, c.dimension, c.value].join("|");

/** The hidden cells of published rollups and every relation a reader can rebuild from the keys. */
function attackerSystem(cells: readonly RollupCell[]) {
  const index = new Map(cells.map((c, i) => [keyOf(c), i]));
  const hidden = new Uint8Array(cells.length * 4);
  cells.forEach((c, i) => fields.forEach((f, k) => (hidden[i * 4 + k] = c[f] === null ? 1 : 0)));
  const relations: AdditiveRelation[] = [];
  const ties = new Map<string, { total: number; parts: number[] }>();
  const tie = (kind: string, part: number, totalKey: RollupCell) => {
    const total = index.get(keyOf(totalKey));
    if (total === undefined) throw new Error(`no total for ${keyOf(cells[part])}`);
    const entry = ties.get(`${total}#${kind}`) ?? { total, parts: [] };
    entry.parts.push(part);
    ties.set(`${total}#${kind}`, entry);
  };
  cells.forEach((c, i) => {
    relations.push({ total: i * 4, parts: [i * 4 + 1, i * 4 + 2, i * 4 + 3] });
    if (c.dimension !== "all") tie(c.dimension, i, { ...c, dimension: "all", value: "all" });
    if (c.grade !== "all") tie("grade", i, { ...c, grade: "all" });
    if (c.scope === "school") tie("school", i, { ...c, scope: "district", school_id: "" });
    if (c.scope === "district") tie("district", i, { ...c, scope: "state", district_id: "" });
  });
  for (const { total, parts } of ties.values()) {
    for (let f = 0; f < 4; f++) relations.push({ total: total * 4 + f, parts: parts.map((p) => p * 4 + f) });
  }
  const label = (cell: number) => `${keyOf(cells[Math.floor(cell / 4)])} ${fields[cell % 4]}`;
  return { hidden, relations, label };
}
