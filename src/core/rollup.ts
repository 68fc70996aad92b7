import { statusFlags } from "./contractColumns.ts";
import type { Milestone } from "./milestones.ts";
import { riskTiers, type RiskTier } from "./riskTier.ts";
import { suppressCells, type AdditiveRelation } from "./suppression.ts";

/**
 * Term rollups: counts by tier, tier shares and mean risk for the state, each district and each
 * school, by milestone and grade, for everyone and for each subgroup value. Every number a
 * rollup shows comes from at least `threshold` students or is suppressed (`docs/data-contract.md`, "Privacy in
 * aggregates"); see `suppression.ts` for the complementary rule.
 */
export const subgroupDimensions = [...statusFlags, "race_ethnicity", "gender"] as const;
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
  const rollups = new RollupAccumulator();
  for (const input of inputs) rollups.add(input);
  return rollups.finish(threshold);
}

/** Grades K–12 and "all" come first in a place's slots; subgroup values take slots as they appear. */
const ALL_GRADES = 13;
const FIRST_VALUE_SLOT = 14;
const FIELDS = 5; // n, low, moderate, high, risk sum

/**
 * Counts scores into rollup groups as they are made, so a term never holds its scores to roll
 * them up. A million scores fall into 33 groups each: groups are numbered (place, milestone,
 * slot) rather than keyed by text, and get their text keys once, at the end.
 */
export class RollupAccumulator {
  private readonly places = new Map<string, number>();
  private readonly placeKeys: [ScopeType, string, string][] = [];
  private readonly milestones = new Map<string, number>();
  private readonly milestoneNames: Milestone[] = [];
  /** Per subgroup dimension: value → slot. */
  private readonly valueSlots = subgroupDimensions.map(() => new Map<string, number>());
  private readonly slotKeys: [SubgroupDimension | typeof ALL, string, string][] = [];
  /** (place, milestone) → FIELDS numbers per slot. */
  private readonly tallies = new Map<number, Float64Array>();
  private slotCount = FIRST_VALUE_SLOT;

  constructor() {
    for (let g = 0; g < ALL_GRADES; g++) this.slotKeys.push([ALL, ALL, String(g)]);
    this.slotKeys.push([ALL, ALL, ALL]);
  }

  add(s: RollupInput): void {
    const tier = 1 + riskTiers.indexOf(s.tier);
    let m = this.milestones.get(s.milestone);
    if (m === undefined) {
      this.milestones.set(s.milestone, (m = this.milestoneNames.length));
      this.milestoneNames.push(s.milestone);
    }
    const slots: number[] = [s.grade, ALL_GRADES];
    for (let d = 0; d < subgroupDimensions.length; d++) {
      const value = s.subgroups[subgroupDimensions[d]];
      let slot = this.valueSlots[d].get(value);
      if (slot === undefined) {
        this.valueSlots[d].set(value, (slot = this.slotCount++));
        this.slotKeys.push([subgroupDimensions[d], value, ALL]);
      }
      slots.push(slot);
    }
    for (const place of [this.place("state", "", ""), this.place("district", s.district_id, ""), this.place("school", s.district_id, s.school_id)]) {
      const id = place * 64 + m;
      let tally = this.tallies.get(id);
      if (tally === undefined || tally.length < this.slotCount * FIELDS) {
        const wider = new Float64Array(Math.max(this.slotCount, FIRST_VALUE_SLOT + 48) * FIELDS);
        if (tally) wider.set(tally);
        this.tallies.set(id, (tally = wider));
      }
      for (const slot of slots) {
        const at = slot * FIELDS;
        tally[at]++;
        tally[at + tier]++;
        tally[at + 4] += s.risk;
      }
    }
  }

  /** The groups, ordered by key text, with suppression applied at `threshold`. */
  finish(threshold: number): RollupCell[] {
    const groups: Group[] = [];
    for (const [id, tally] of this.tallies) {
      const [scope, district_id, school_id] = this.placeKeys[Math.floor(id / 64)];
      const milestone = this.milestoneNames[id % 64];
      for (let slot = 0; slot * FIELDS < tally.length; slot++) {
        const at = slot * FIELDS;
        if (tally[at] === 0) continue;
        const [dimension, value, grade] = this.slotKeys[slot];
        groups.push({
          key: { scope, district_id, school_id, milestone, grade, dimension, value },
          counts: [tally[at], tally[at + 1], tally[at + 2], tally[at + 3]],
          riskSum: tally[at + 4],
        });
      }
    }
    return suppressedCells(groups, threshold);
  }

  private place(scope: ScopeType, district: string, school: string): number {
    const text = `${scope}\u0000${district}\u0000${school}`;
    let place = this.places.get(text);
    if (place === undefined) {
      this.places.set(text, (place = this.placeKeys.length));
      this.placeKeys.push([scope, district, school]);
    }
    return place;
  }
}

function suppressedCells(groups: Group[], threshold: number): RollupCell[] {
  const keyed = groups.map((g) => ({ g, text: rollupKeyString(g.key) }));
  keyed.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const ordered = keyed.map((k) => k.g);
  const index = new Map<string, number>();
  keyed.forEach((k, i) => index.set(k.text, i));
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
