import type { Milestone } from "./milestones.ts";
import { riskTiers, type RiskTier } from "./riskTier.ts";
import { suppressCells, type AdditiveRelation } from "./suppression.ts";

/**
 * Term rollups: counts by tier, tier shares and mean risk for the state, each district and each
 * school, by milestone and grade, for everyone and for each subgroup value. Every number a
 * rollup shows comes from at least `threshold` students or is suppressed (spec, "Privacy in
 * aggregates"); see `suppression.ts` for the complementary rule.
 */
export const subgroupDimensions = ["low_income", "ell", "former_ell", "sped", "homeless", "foster_care", "race_ethnicity", "gender"] as const;
export type SubgroupDimension = (typeof subgroupDimensions)[number];

/** A scored student as the rollups see them: where, which milestone, the tier, and the subgroups as of the term. */
export interface RollupInput {
  district_id: string;
  school_id: string;
  milestone: Milestone;
  grade: number;
  tier: RiskTier;
  risk: number;
  subgroups: Record<SubgroupDimension, string>; // "1"/"0"/"unknown", race and gender codes or "unknown"
}

export type ScopeType = "state" | "district" | "school";
export const ALL = "all";

export interface RollupKey {
  scope: ScopeType;
  district_id: string; // "" for the state
  school_id: string; // "" for the state and districts
  milestone: Milestone;
  grade: string; // a grade or "all"
  dimension: SubgroupDimension | typeof ALL;
  value: string; // the subgroup value, or "all"
}

export const countFields = ["n", "low", "moderate", "high"] as const;
export type CountField = (typeof countFields)[number];

/** Null where suppressed; `suppressed` names every hidden field. */
export interface RollupCell extends RollupKey {
  n: number | null;
  low: number | null;
  moderate: number | null;
  high: number | null;
  share_low: number | null;
  share_moderate: number | null;
  share_high: number | null;
  mean_risk: number | null;
  mean_risk_change: number | null;
  high_share_change: number | null;
  suppressed: CountField[];
}

export const rollupKeyString = (k: RollupKey): string =>
  [k.scope, k.district_id, k.school_id, k.milestone, k.grade, k.dimension, k.value].join("\u0000");

interface Group {
  key: RollupKey;
  counts: [number, number, number, number];
  riskSum: number;
}

/** Change columns start empty: the store fills them against the previous term when it publishes. */
export function computeRollups(inputs: Iterable<RollupInput>, threshold: number): RollupCell[] {
  const groups = new Map<string, Group>();
  const add = (key: RollupKey, tierIndex: number, risk: number) => {
    const id = rollupKeyString(key);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, counts: [0, 0, 0, 0], riskSum: 0 }));
    g.counts[0]++;
    g.counts[1 + tierIndex]++;
    g.riskSum += risk;
  };
  for (const s of inputs) {
    const tierIndex = riskTiers.indexOf(s.tier);
    const scopes: [ScopeType, string, string][] = [
      ["state", "", ""],
      ["district", s.district_id, ""],
      ["school", s.district_id, s.school_id],
    ];
    for (const [scope, district_id, school_id] of scopes) {
      // Subgroups are broken down over all grades, not grade by grade: every extra cross-tab
      // adds tiny cells and equations that suppression must then hide.
      add({ scope, district_id, school_id, milestone: s.milestone, grade: String(s.grade), dimension: ALL, value: ALL }, tierIndex, s.risk);
      add({ scope, district_id, school_id, milestone: s.milestone, grade: ALL, dimension: ALL, value: ALL }, tierIndex, s.risk);
      for (const dimension of subgroupDimensions) {
        add({ scope, district_id, school_id, milestone: s.milestone, grade: ALL, dimension, value: s.subgroups[dimension] }, tierIndex, s.risk);
      }
    }
  }

  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const index = new Map<string, number>();
  ordered.forEach((g, i) => index.set(rollupKeyString(g.key), i));
  const counts = new Int32Array(ordered.length * 4);
  ordered.forEach((g, i) => counts.set(g.counts, i * 4));
  // A group under the threshold hides its zeros too: "none of these 4 students is low risk"
  // says as much about them as a count would.
  const smallGroup = new Uint8Array(counts.length);
  ordered.forEach((g, i) => {
    if (g.counts[0] < threshold) smallGroup.fill(1, i * 4, i * 4 + 4);
  });
  const hidden = suppressCells(counts, relationsOf(ordered, index), threshold, smallGroup);
  return ordered.map((g, i) => cellOf(g, hidden.subarray(i * 4, i * 4 + 4)));
}

/** Every additive tie a reader could subtract along: tiers → group, values → everyone, grades → all grades, schools → district → state. */
function relationsOf(groups: readonly Group[], index: ReadonlyMap<string, number>): AdditiveRelation[] {
  const ties = new Map<string, { total: number; parts: number[] }>();
  const tie = (part: number, kind: string, totalKey: RollupKey) => {
    const total = index.get(rollupKeyString(totalKey));
    if (total === undefined) return;
    const id = `${total}:${kind}`;
    const entry = ties.get(id);
    if (entry) entry.parts.push(part);
    else ties.set(id, { total, parts: [part] });
  };
  const relations: AdditiveRelation[] = [];
  groups.forEach((g, i) => {
    relations.push({ total: i * 4, parts: [i * 4 + 1, i * 4 + 2, i * 4 + 3] });
    const k = g.key;
    if (k.dimension !== ALL) tie(i, k.dimension, { ...k, dimension: ALL, value: ALL });
    if (k.grade !== ALL) tie(i, "grade", { ...k, grade: ALL });
    if (k.scope === "school") tie(i, "scope", { ...k, scope: "district", school_id: "" });
    if (k.scope === "district") tie(i, "scope", { ...k, scope: "state", district_id: "" });
  });
  for (const { total, parts } of ties.values()) {
    for (let f = 0; f < 4; f++) relations.push({ total: total * 4 + f, parts: parts.map((p) => p * 4 + f) });
  }
  return relations;
}

/** Change from last term, shown only where both terms show the number it is made from. */
export function rollupChange(
  now: Pick<RollupCell, "mean_risk" | "share_high">,
  before: Pick<RollupCell, "mean_risk" | "share_high"> | undefined,
): Pick<RollupCell, "mean_risk_change" | "high_share_change"> {
  const change = (a: number | null, b: number | null | undefined) => (a === null || b === null || b === undefined ? null : a - b);
  return { mean_risk_change: change(now.mean_risk, before?.mean_risk), high_share_change: change(now.share_high, before?.share_high) };
}

function cellOf(g: Group, hidden: Uint8Array): RollupCell {
  const shown = (f: number) => (hidden[f] ? null : g.counts[f]);
  const n = g.counts[0];
  const share = (f: number) => (hidden[0] || hidden[f] ? null : g.counts[f] / n);
  return {
    ...g.key,
    n: shown(0),
    low: shown(1),
    moderate: shown(2),
    high: shown(3),
    share_low: share(1),
    share_moderate: share(2),
    share_high: share(3),
    mean_risk: hidden[0] ? null : g.riskSum / n,
    mean_risk_change: null,
    high_share_change: null,
    suppressed: countFields.filter((_, f) => hidden[f] === 1),
  };
}
