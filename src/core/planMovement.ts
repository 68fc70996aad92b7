import type { Plan } from "./casework.ts";
import { riskTiers, type RiskTier } from "./riskTier.ts";
import { ALL, rollupKeyString, type GroupKey, type RollupGroup, type ScopeType } from "./rollupKey.ts";
import { suppressRollups } from "./rollupSuppression.ts";

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

/**
 * Of one place's students at `previous_tier` last term for a milestone, in one intervention
 * group ("all", "none", a type, "several"), how many are at each tier now. Numbers from fewer
 * students than the threshold, or that could be worked out from the shown ones, are null and
 * named in `suppressed`.
 */
export interface MovementCell {
  scope: ScopeType;
  district_id: string;
  school_id: string;
  milestone: string;
  previous_tier: RiskTier;
  intervention: string;
  students: number | null;
  now_low: number | null;
  now_moderate: number | null;
  now_high: number | null;
  suppressed: MovementField[];
}

/**
 * The movement table. Each previous tier is a table of its own, rolled up by place and
 * milestone with the intervention group as its one dimension, and suppressed by the rollups'
 * own rules (`suppressRollups`): the groups add up to "all", schools to their district,
 * districts to the state, tiers to their group, and every one of those sums is guarded.
 */
export function planMovement(scores: Iterable<MovementInput>, interventionOf: (studentId: string) => string, threshold: number): MovementCell[] {
  const tables = new Map<RiskTier, Map<string, RollupGroup>>(riskTiers.map((t) => [t, new Map()]));
  for (const s of scores) {
    if (s.previous_tier === null) continue;
    const table = tables.get(s.previous_tier)!;
    const now = 1 + riskTiers.indexOf(s.tier);
    const group = interventionOf(s.student_id);
    const places: [ScopeType, string, string][] = [["state", "", ""], ["district", s.district_id, ""], ["school", s.district_id, s.school_id]];
    for (const [scope, district_id, school_id] of places) {
      for (const [dimension, value] of [[ALL, ALL], [INTERVENTION, group]]) {
        const key: GroupKey = { scope, district_id, school_id, milestone: s.milestone, grade: ALL, dimension, value };
        const text = rollupKeyString(key);
        let g = table.get(text);
        if (!g) table.set(text, (g = { key, counts: [0, 0, 0, 0] }));
        g.counts[0]++;
        g.counts[now]++;
      }
    }
  }
  const cells: MovementCell[] = [];
  for (const [previous_tier, table] of tables) {
    const groups = [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
    if (groups.length === 0) continue;
    const { hidden } = suppressRollups(groups, threshold);
    groups.forEach((g, i) => {
      const shown = (f: number) => (hidden[i * 4 + f] ? null : g.counts[f]);
      const { scope, district_id, school_id, milestone, value } = g.key;
      cells.push({
        scope, district_id, school_id, milestone, previous_tier,
        intervention: value,
        students: shown(0),
        now_low: shown(1),
        now_moderate: shown(2),
        now_high: shown(3),
        suppressed: movementFields.filter((_, f) => hidden[i * 4 + f] === 1),
      });
    });
  }
  return cells;
}
