import type { RollupCell } from "../src/core/index.ts";

const fields = ["n", "low", "moderate", "high"] as const;
type Field = (typeof fields)[number];

/**
 * An attacker's view of published rollups: every additive tie a reader can build from the keys
 * alone (tiers → group, subgroup values → everyone, grades → all grades, schools → district →
 * state), built here independently of the production code. Returns each tie in which exactly one
 * number is hidden, i.e. each hidden count recoverable by one subtraction; none is allowed.
 */
export function recoverableCells(cells: readonly RollupCell[]): string[] {
  const id = (c: Pick<RollupCell, "scope" | "district_id" | "school_id" | "milestone" | "grade" | "dimension" | "value">) =>
    [c.scope, c.district_id, c.school_id, c.milestone, c.grade, c.dimension, c.value].join("|");
  const byId = new Map(cells.map((c) => [id(c), c]));
  const ties = new Map<string, { total: RollupCell; parts: RollupCell[] }>();
  const tie = (kind: string, part: RollupCell, totalKey: RollupCell) => {
    const total = byId.get(id(totalKey));
    if (!total) throw new Error(`no total for ${id(part)} along ${kind}`);
    const key = `${id(total)}#${kind}`;
    const entry = ties.get(key) ?? { total, parts: [] };
    entry.parts.push(part);
    ties.set(key, entry);
  };
  for (const c of cells) {
    if (c.dimension !== "all") tie(c.dimension, c, { ...c, dimension: "all", value: "all" });
    if (c.grade !== "all") tie("grade", c, { ...c, grade: "all" });
    if (c.scope === "school") tie("school", c, { ...c, scope: "district", school_id: "" });
    if (c.scope === "district") tie("district", c, { ...c, scope: "state", district_id: "" });
  }
  const found: string[] = [];
  const check = (label: string, values: (number | null)[]) => {
    if (values.filter((v) => v === null).length === 1) found.push(label);
  };
  for (const c of cells) check(`${id(c)}: n = low + moderate + high`, fields.map((f) => c[f]));
  for (const [key, { total, parts }] of ties) {
    for (const f of fields as readonly Field[]) check(`${key} ${f}`, [total[f], ...parts.map((p) => p[f])]);
  }
  return found;
}

/** Every visible count must be 0 or at least the threshold. */
export function smallVisibleCounts(cells: readonly RollupCell[], threshold: number): string[] {
  return cells.flatMap((c) => fields.filter((f) => c[f] !== null && (c[f] as number) > 0 && (c[f] as number) < threshold).map((f) => `${JSON.stringify(c)} ${f}`));
}
