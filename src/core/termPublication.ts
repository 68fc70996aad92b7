import { formatDrivers, type Driver } from "./riskScore.ts";
import { computeRollups, rollupKeyString, type RollupCell } from "./rollup.ts";
import { tierChange, type RiskTier, type TierChange } from "./riskTier.ts";
import type { StudentScore } from "./termScores.ts";

/** A score as published: drivers in their compact text form, and the tier move since last term. */
export interface PublishedScore extends Omit<StudentScore, "drivers"> {
  drivers: string;
  previous_tier: RiskTier | null;
  change: TierChange;
}

export const tierKey = (studentId: string, milestone: string): string => `${studentId}\u0000${milestone}`;

export interface PreviousTerm {
  /** Tier by `tierKey(student, milestone)`. */
  tiers: ReadonlyMap<string, RiskTier>;
  rollups: readonly RollupCell[];
}

/**
 * Everything a term publishes, from its scores and the previous published term: each score's
 * change of tier, and the suppressed rollups with their change from last term.
 */
export function publicationOf(
  scores: readonly StudentScore[],
  previous: PreviousTerm | undefined,
  threshold: number,
): { scores: PublishedScore[]; rollups: RollupCell[] } {
  const published = scores.map((s): PublishedScore => {
    const before = previous?.tiers.get(tierKey(s.student_id, s.milestone));
    return { ...s, drivers: formatDrivers(s.drivers as Driver[]), previous_tier: before ?? null, change: tierChange(before, s.tier) };
  });
  const previousCells = new Map((previous?.rollups ?? []).map((c) => [rollupKeyString(c), c]));
  return { scores: published, rollups: computeRollups(published, threshold, previousCells) };
}
