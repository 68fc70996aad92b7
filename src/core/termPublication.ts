import { formatDrivers, type Driver } from "./riskScore.ts";
import { computeRollups, type RollupCell } from "./rollup.ts";
import type { RiskTier, TierChange } from "./riskTier.ts";
import type { StudentScore } from "./termScores.ts";

/** A score as published: drivers in their compact text form, and the tier move since last term. */
export interface PublishedScore extends Omit<StudentScore, "drivers"> {
  drivers: string;
  previous_tier: RiskTier | null;
  change: TierChange;
}

export const tierKey = (studentId: string, milestone: string): string => `${studentId}\u0000${milestone}`;

/**
 * Everything a term publishes, from its scores: drivers in compact form and the suppressed
 * rollups. Tier changes and rollup changes are not known here: they depend on the previous
 * term as it stands when the term is published, so the store fills them inside the publishing
 * transaction (`tierChange`, `rollupChange`); until then each score reads as new.
 */
export function publicationOf(scores: readonly StudentScore[], threshold: number): { scores: PublishedScore[]; rollups: RollupCell[] } {
  const published = scores.map(publishedScore);
  return { scores: published, rollups: computeRollups(published, threshold) };
}

/** One score as published, before the store knows its tier change. */
export function publishedScore(s: StudentScore): PublishedScore {
  // Field by field, in StudentScore's order: a spread of a state's 1.4 M scores cost 2 s.
  return {
    student_id: s.student_id,
    school_year: s.school_year,
    district_id: s.district_id,
    school_id: s.school_id,
    grade: s.grade,
    milestone: s.milestone,
    risk: s.risk,
    tier: s.tier,
    drivers: formatDrivers(s.drivers as Driver[]),
    subgroups: s.subgroups,
    indicators: s.indicators,
    prior: s.prior,
    scoredWith: s.scoredWith,
    previous_tier: null,
    change: "new",
  };
}
