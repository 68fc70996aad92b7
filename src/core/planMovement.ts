import type { Plan } from "./casework.ts";
import { riskTiers, type RiskTier } from "./riskTier.ts";
import type { RollupCell } from "./rollup.ts";
import { ALL, countFields, rollupKeyString, type CountField, type GroupKey, type RollupGroup, type ScopeType } from "./rollupKey.ts";
import { suppressedBeside, suppressRollups, type Elsewhere } from "./rollupSuppression.ts";

/*
 * Next term: how the tiers of last term's students moved, for those who had a plan in between
 * and those who did not, by intervention. Descriptive only: students are given plans because
 * someone judged they needed one, not at random, so a difference between the groups is not what
 * a plan did. Every page and answer that shows these numbers says so (`MOVEMENT_CAVEAT`).
 */

export const MOVEMENT_CAVEAT =
  "Descriptive, not causal: students get plans because someone judged they needed one, not at random, so how their tiers moved is not an estimate of what the plans did.";

/** The intervention group of a student with no plan in the window, and of one with plans of more than one type. */
export const NO_PLAN = "none";
export const SEVERAL = "several";
export const INTERVENTION = "intervention";

/**
 * Whether a plan was open at some time between two terms' publications (days, YYYY-MM-DD):
 * begun by the later one and not ended before the earlier one. A plan recorded late, with the
 * day it really began, counts from that day.
 */
export function planOpenBetween(plan: Pick<Plan, "starts_on" | "ended_on">, fromDay: string, toDay: string): boolean {
  return plan.starts_on <= toDay && (plan.ended_on === null || plan.ended_on >= fromDay);
}

/** The one group a student falls in, so the groups add up to everyone: no plan, the one type of all their plans, or several. */
export function interventionGroup(typeIds: Iterable<string>): string {
  const types = new Set(typeIds);
  return types.size === 0 ? NO_PLAN : types.size === 1 ? [...types][0] : SEVERAL;
}

/** A score of the later term with the tier of the earlier one (null: not scored for that milestone then). */
export interface MovementInput {
  student_id: string;
  district_id: string;
  school_id: string;
  milestone: string;
  previous_tier: RiskTier | null;
  tier: RiskTier;
}

export const movementFields = ["students", "now_low", "now_moderate", "now_high"] as const;
export type MovementField = (typeof movementFields)[number];

/** The row of the students not scored for the milestone last term (new to it, or to the state). */
export const NEW = "new";
const MOVEMENT = "movement";

/**
 * Of one place's students at `previous_tier` last term for a milestone (or `new` to it), in one
 * intervention group (`none`, a type, `several`; `all` for the new row), how many are at each
 * tier now. Numbers from fewer students than the threshold, or that could be worked out from
 * the shown ones and the published rollups, are null and named in `suppressed`.
 */
export interface MovementCell {
  scope: ScopeType;
  district_id: string;
  school_id: string;
  milestone: string;
  previous_tier: RiskTier | typeof NEW;
  intervention: string;
  students: number | null;
  now_low: number | null;
  now_moderate: number | null;
  now_high: number | null;
  suppressed: MovementField[];
}

/** The term's published rollup of a place and milestone over all grades and students: what every reader knows already. */
export type PublishedTotal = (scope: ScopeType, district_id: string, school_id: string, milestone: string) => Pick<RollupCell, CountField> | undefined;

/**
 * The movement table. For each place and milestone, every (previous tier, intervention group)
 * and the new students are the values of one dimension: together they are everyone the term
 * scored there, the published rollup's own group, so a reader could subtract the table from
 * it. The table is suppressed by the rollups' rules with that total in it as the rollups left
 * it: what they hide is hidden and protected here, what they show is taken as known. Where a
 * reader of both could still work a hidden number out, the milestone is withheld whole.
 */
export function planMovement(scores: Iterable<MovementInput>, interventionOf: (studentId: string) => string, threshold: number, published: PublishedTotal): { cells: MovementCell[]; withheld: string[] } {
  const table = new Map<string, RollupGroup>();
  for (const s of scores) {
    const now = 1 + riskTiers.indexOf(s.tier);
    const row = s.previous_tier === null ? NEW : `${s.previous_tier}:${interventionOf(s.student_id)}`;
    const places: [ScopeType, string, string][] = [["state", "", ""], ["district", s.district_id, ""], ["school", s.district_id, s.school_id]];
    for (const [scope, district_id, school_id] of places) {
      for (const [dimension, value] of [[ALL, ALL], [MOVEMENT, row]]) {
        const key: GroupKey = { scope, district_id, school_id, milestone: s.milestone, grade: ALL, dimension, value };
        const text = rollupKeyString(key);
        let g = table.get(text);
        if (!g) table.set(text, (g = { key, counts: [0, 0, 0, 0] }));
        g.counts[0]++;
        g.counts[now]++;
      }
    }
  }
  const sorted = [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const totalOf = (k: GroupKey) => (k.value === ALL ? published(k.scope, k.district_id, k.school_id, k.milestone) : undefined);
  const cells: MovementCell[] = [];
  const withheld: string[] = [];
  // Milestones are tables of their own (never summed together): each is suppressed, or withheld, alone.
  for (const milestone of new Set(sorted.map((g) => g.key.milestone))) {
    const groups = sorted.filter((g) => g.key.milestone === milestone);
    const made = suppressedBeside(() => suppressRollups(groups, threshold, elsewhereOf(groups, totalOf)));
    if (!made) {
      withheld.push(milestone);
      continue;
    }
    groups.forEach((g, i) => {
      const { scope, district_id, school_id, value } = g.key;
      if (value === ALL) return; // the published rollup's own group: readers have it there
      const [previous_tier, intervention = ALL] = value.split(":") as [RiskTier | typeof NEW, string?];
      const shown = (f: number) => (made.hidden[i * 4 + f] ? null : g.counts[f]);
      cells.push({
        scope, district_id, school_id, milestone, previous_tier, intervention,
        students: shown(0),
        now_low: shown(1),
        now_moderate: shown(2),
        now_high: shown(3),
        suppressed: movementFields.filter((_, f) => made.hidden[i * 4 + f] === 1),
      });
    });
  }
  return { cells, withheld: withheld.sort() };
}

/**
 * What readers of the published rollups already know of a table: for each group of `groups`
 * the rollups publish too (`publishedOf`), its published counts (`fieldOf` maps the table's four
 * fields to the rollup's; a field mapped to null is the table's own), hidden where they hide them.
 */
export function elsewhereOf(
  groups: readonly RollupGroup[],
  publishedOf: (key: GroupKey) => Partial<Pick<RollupCell, CountField>> | undefined,
  fieldOf: readonly (CountField | null)[] = countFields,
): Elsewhere {
  const hidden = new Uint8Array(groups.length * 4);
  const shown = new Uint8Array(groups.length * 4);
  groups.forEach((g, i) => {
    const cell = publishedOf(g.key);
    fieldOf.forEach((f, k) => {
      if (f === null) return;
      if (!cell) return;
      if (cell[f] === null) hidden[i * 4 + k] = 1;
      else shown[i * 4 + k] = 1;
    });
  });
  return { hidden, shown };
}
