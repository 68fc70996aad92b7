import { EwisError } from "./errors.ts";
import type { Milestone } from "./milestones.ts";

export const riskTiers = ["low", "moderate", "high"] as const;
export type RiskTier = (typeof riskTiers)[number];

/** Cut-points on the risk (probability of missing): below the first is low, from the second on is high. */
export type CutPoints = readonly [number, number];

export const DEFAULT_CUT_POINTS: CutPoints = [0.2, 0.5];

/**
 * The state system ewis follows describes each tier by how often its students actually reach
 * the milestone; the training report sets the observed rates beside these.
 */
export const describedReachRate: Record<RiskTier, number> = { low: 0.9, moderate: 0.6, high: 0.25 };

/** How a student's tier moved since the previous published term: `new` when they had none. */
export type TierChange = "new" | "up" | "down" | "same";

export function tierChange(previous: RiskTier | undefined, current: RiskTier): TierChange {
  if (previous === undefined) return "new";
  const delta = riskTiers.indexOf(current) - riskTiers.indexOf(previous);
  return delta > 0 ? "up" : delta < 0 ? "down" : "same";
}

export function riskTier(risk: number, [low, high]: CutPoints): RiskTier {
  return risk < low ? "low" : risk < high ? "moderate" : "high";
}

export function checkCutPoints(cutPoints: readonly number[], milestone?: Milestone): CutPoints {
  const [low, high] = cutPoints;
  if (cutPoints.length !== 2 || !(low > 0 && low < high && high < 1)) {
    throw new EwisError("invalid_argument", `cut-points must be two risks 0 < low < high < 1, got ${cutPoints.join(",")}`, { milestone });
  }
  return [low, high];
}

export interface TierReach {
  tier: RiskTier;
  n: number;
  observedReachRate: number;
  describedReachRate: number;
}

/** Observed reach rate per tier; `missed[i]` is 1 when student i missed the milestone. */
export function reachByTier(risks: ArrayLike<number>, missed: ArrayLike<number>, cutPoints: CutPoints): TierReach[] {
  const n = { low: 0, moderate: 0, high: 0 };
  const reached = { low: 0, moderate: 0, high: 0 };
  for (let i = 0; i < risks.length; i++) {
    const tier = riskTier(risks[i], cutPoints);
    n[tier]++;
    if (missed[i] === 0) reached[tier]++;
  }
  return riskTiers.map((tier) => ({
    tier,
    n: n[tier],
    observedReachRate: n[tier] === 0 ? NaN : reached[tier] / n[tier],
    describedReachRate: describedReachRate[tier],
  }));
}
