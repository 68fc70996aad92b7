import type { Milestone } from "./milestones.ts";
import { riskTiers, type RiskTier } from "./riskTier.ts";
import { ALL, countFields, rollupKeyString, subgroupDimensions, type CountField, type RollupGroup, type RollupKey, type ScopeType, type SubgroupDimension } from "./rollupKey.ts";
import { suppressRollups, type Elsewhere, type SuppressionLoss } from "./rollupSuppression.ts";

export * from "./rollupKey.ts";

/*
 * Term rollups: counts by tier, tier shares and mean risk for the state, each district and each
 * school, by milestone and grade, for everyone and for each subgroup value. Every number a
 * rollup shows comes from at least `threshold` students or is suppressed (`docs/data-contract.md`,
 * "Privacy in aggregates"); see `rollupSuppression.ts` for which numbers are hidden and why.
 */

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

/**
 * Null where suppressed; `suppressed` names every hidden field, `suppressed_small` those hidden
 * because fewer than the threshold of students are in them (the rest protect such a number).
 * `suppressed_small` is null for terms published before the reason was kept.
 */
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
  suppressed_small: CountField[] | null;
}

/** A term's rollups and what their suppression hides, per scope; `exposed`: see `suppressRollups`. */
export interface RollupTables {
  cells: RollupCell[];
  loss: SuppressionLoss[];
  exposed: RollupCell[];
}

/** A rollup group as counted: its key, its four counts, and the sum of its risks. */
export interface CountedGroup extends RollupGroup<RollupKey> {
  riskSum: number;
}

/** Change columns start empty: the store fills them against the previous term when it publishes. */
export function computeRollups(inputs: Iterable<RollupInput>, threshold: number): RollupCell[] {
  const rollups = new RollupAccumulator();
  for (const input of inputs) rollups.add(input);
  return rollups.finish(threshold).cells;
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
  private readonly placeKeys: [ScopeType, string, string][] = [];
  private readonly statePlace = this.newPlace("state", "", "");
  private readonly districtPlaces = new Map<string, number>();
  private readonly schoolPlaces = new Map<string, Map<string, number>>();
  private readonly milestones = new Map<string, number>();
  private readonly milestoneNames: Milestone[] = [];
  /** Per subgroup dimension: value → slot. */
  private readonly valueSlots = subgroupDimensions.map(() => new Map<string, number>());
  private readonly slotKeys: [SubgroupDimension | typeof ALL, string, string][] = [];
  /** (place, milestone) → FIELDS numbers per slot. */
  private readonly tallies = new Map<number, Float64Array>();
  private slotCount = FIRST_VALUE_SLOT;
  /** The last score's slots (grade, all grades, one per subgroup dimension) and places (state, district, school). */
  private readonly slots = new Int32Array(2 + subgroupDimensions.length);
  private readonly places = new Int32Array([this.statePlace, 0, 0]);
  private lastSubgroups: RollupInput["subgroups"] | undefined;
  private lastDistrict: string | undefined;
  private lastSchool: string | undefined;

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
    // A student's scores come one after another with the same places and subgroups (the same
    // object, which a caller does not change between adds): those lookups are made once a
    // student, not once a score.
    const slots = this.slots;
    if (s.subgroups !== this.lastSubgroups) {
      for (let d = 0; d < subgroupDimensions.length; d++) {
        const value = s.subgroups[subgroupDimensions[d]];
        let slot = this.valueSlots[d].get(value);
        if (slot === undefined) {
          this.valueSlots[d].set(value, (slot = this.slotCount++));
          this.slotKeys.push([subgroupDimensions[d], value, ALL]);
        }
        slots[2 + d] = slot;
      }
      this.lastSubgroups = s.subgroups;
    }
    slots[0] = s.grade;
    slots[1] = ALL_GRADES;
    if (this.lastDistrict === undefined || s.district_id !== this.lastDistrict || s.school_id !== this.lastSchool) {
      this.lastDistrict = s.district_id;
      this.lastSchool = s.school_id;
      this.places[1] = this.districtPlace(s.district_id);
      this.places[2] = this.schoolPlace(s.district_id, s.school_id);
    }
    for (let p = 0; p < 3; p++) {
      const id = this.places[p] * 64 + m;
      let tally = this.tallies.get(id);
      if (tally === undefined || tally.length < this.slotCount * FIELDS) {
        const wider = new Float64Array(Math.max(this.slotCount, FIRST_VALUE_SLOT + 48) * FIELDS);
        if (tally) wider.set(tally);
        this.tallies.set(id, (tally = wider));
      }
      for (let k = 0; k < slots.length; k++) {
        const at = slots[k] * FIELDS;
        tally[at]++;
        tally[at + tier]++;
        tally[at + 4] += s.risk;
      }
    }
  }

  /** The groups, ordered by key text, with suppression applied at `threshold` (`rollupTables`). */
  finish(threshold: number, elsewhere?: (groups: readonly RollupGroup[]) => Elsewhere): RollupTables {
    return rollupTables(this.counts(), threshold, elsewhere);
  }

  /** The counts so far, as plain data: a worker that counted hands them to the thread that suppresses. */
  counts(): RollupCounts {
    return { placeKeys: this.placeKeys, milestoneNames: this.milestoneNames, slotKeys: this.slotKeys, tallies: this.tallies };
  }

  // Places by the ids themselves, in nested maps: a key text made per score cost a state's
  // term run 2 s of concatenation and hashing.
  private newPlace(scope: ScopeType, district: string, school: string): number {
    this.placeKeys.push([scope, district, school]);
    return this.placeKeys.length - 1;
  }

  private districtPlace(district: string): number {
    let place = this.districtPlaces.get(district);
    if (place === undefined) this.districtPlaces.set(district, (place = this.newPlace("district", district, "")));
    return place;
  }

  private schoolPlace(district: string, school: string): number {
    let schools = this.schoolPlaces.get(district);
    if (schools === undefined) this.schoolPlaces.set(district, (schools = new Map()));
    let place = schools.get(school);
    if (place === undefined) schools.set(school, (place = this.newPlace("school", district, school)));
    return place;
  }
}

/** A RollupAccumulator's counts: places, milestones and slots by number, and each (place, milestone)'s tallies. */
export interface RollupCounts {
  placeKeys: readonly [ScopeType, string, string][];
  milestoneNames: readonly Milestone[];
  slotKeys: readonly [SubgroupDimension | typeof ALL, string, string][];
  tallies: ReadonlyMap<number, Float64Array>;
}

/** The groups of `counts`, ordered by key text, with suppression applied at `threshold`. */
export function rollupTables(counts: RollupCounts, threshold: number, elsewhere?: (groups: readonly RollupGroup[]) => Elsewhere): RollupTables {
  const ordered = rollupGroups(counts);
  const { hidden, small, loss, exposed } = suppressRollups(ordered, threshold, elsewhere?.(ordered));
  const cells = rollupCells(ordered, hidden, small);
  return { cells, loss, exposed: [...new Set(exposed.map((c) => Math.floor(c / 4)))].map((i) => cells[i]) };
}

/** The groups of `counts` that hold a score, ordered by key text: the order suppression's masks are in. */
export function rollupGroups(counts: RollupCounts): CountedGroup[] {
  const groups: CountedGroup[] = [];
  for (const [id, tally] of counts.tallies) {
    const [scope, district_id, school_id] = counts.placeKeys[Math.floor(id / 64)];
    const milestone = counts.milestoneNames[id % 64];
    for (let slot = 0; slot * FIELDS < tally.length; slot++) {
      const at = slot * FIELDS;
      if (tally[at] === 0) continue;
      const [dimension, value, grade] = counts.slotKeys[slot];
      groups.push({
        key: { scope, district_id, school_id, milestone, grade, dimension, value },
        counts: [tally[at], tally[at + 1], tally[at + 2], tally[at + 3]],
        riskSum: tally[at + 4],
      });
    }
  }
  const keyed = groups.map((g) => ({ g, text: rollupKeyString(g.key) }));
  keyed.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return keyed.map((k) => k.g);
}

/** The groups as published cells, without the numbers `hidden` hides (masks of 4 fields a group, as `suppressRollups` gives). */
export function rollupCells(groups: readonly CountedGroup[], hidden: Uint8Array, small: Uint8Array): RollupCell[] {
  return groups.map((g, i) => cellOf(g, hidden, small, i * 4));
}

/** Change from last term, shown only where both terms show the number it is made from. */
export function rollupChange(
  now: Pick<RollupCell, "mean_risk" | "share_high">,
  before: Pick<RollupCell, "mean_risk" | "share_high"> | undefined,
): Pick<RollupCell, "mean_risk_change" | "high_share_change"> {
  const change = (a: number | null, b: number | null | undefined) => (a === null || b === null || b === undefined ? null : a - b);
  return { mean_risk_change: change(now.mean_risk, before?.mean_risk), high_share_change: change(now.share_high, before?.share_high) };
}

// The masks hold 4 fields per group; cell i's start at `at`. Field by field, without a spread
// or closures: written that way a state's 241 000 cells took about 3 s, this way 0.06 s.
function cellOf(g: CountedGroup, hidden: Uint8Array, small: Uint8Array, at: number): RollupCell {
  const { key, counts } = g;
  const n = counts[0];
  const sizeHidden = hidden[at] === 1;
  return {
    scope: key.scope,
    district_id: key.district_id,
    school_id: key.school_id,
    milestone: key.milestone,
    grade: key.grade,
    dimension: key.dimension,
    value: key.value,
    n: sizeHidden ? null : n,
    low: hidden[at + 1] ? null : counts[1],
    moderate: hidden[at + 2] ? null : counts[2],
    high: hidden[at + 3] ? null : counts[3],
    share_low: sizeHidden || hidden[at + 1] ? null : counts[1] / n,
    share_moderate: sizeHidden || hidden[at + 2] ? null : counts[2] / n,
    share_high: sizeHidden || hidden[at + 3] ? null : counts[3] / n,
    mean_risk: sizeHidden ? null : g.riskSum / n,
    mean_risk_change: null,
    high_share_change: null,
    suppressed: fieldsIn(hidden, at),
    suppressed_small: fieldsIn(small, at),
  };
}

function fieldsIn(mask: Uint8Array, at: number): CountField[] {
  const fields: CountField[] = [];
  for (let f = 0; f < countFields.length; f++) if (mask[at + f] === 1) fields.push(countFields[f]);
  return fields;
}
