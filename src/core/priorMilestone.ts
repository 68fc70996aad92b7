import { milestoneOutcome } from "./milestoneOutcome.ts";
import { grade9Year, milestones, repeatOf, supersededMilestone, type Milestone } from "./milestones.ts";
import type { StudentYear } from "./studentYear.ts";

/**
 * What was already decided before a follow-on milestone opened: the first-time milestone a
 * repeated grade settled, or the graduation deadline a fifth- or sixth-year student is past.
 * Counselors read it beside the risk ("grade 9 repeated: … missed in 2019").
 */
export interface PriorMilestone {
  milestone: Milestone;
  outcome: "reached" | "missed" | "unknown";
  /** The school year that decided it: the first year of the grade, or the deadline year. */
  school_year: number;
}

/** The decided milestone behind `milestone` for the row at `index`, from that row and earlier ones; undefined for a first-time milestone. */
export function priorMilestone(milestone: Milestone, rows: readonly StudentYear[], index: number): PriorMilestone | undefined {
  const base = supersededMilestone(milestone);
  if (base === undefined) return undefined;
  const known = rows.slice(0, index + 1);
  const asOf = rows[index].school_year;
  if (base in repeatOf) {
    const grade = repeatOf[base as keyof typeof repeatOf].grade;
    const first = known.find((r) => r.grade === grade);
    if (!first) return undefined;
    const outcome = milestoneOutcome(base, known, asOf);
    return { milestone: base, outcome: outcome.outcome, school_year: first.school_year };
  }
  const g9 = grade9Year(known);
  if (g9 === undefined) return undefined;
  const outcome = milestoneOutcome(base, known, asOf);
  return { milestone: base, outcome: outcome.outcome, school_year: g9 + (base === "on_time_graduation" ? 3 : 4) };
}

const because: Partial<Record<Milestone, string>> = {
  early_literacy_repeat: "grade 3 repeated",
  middle_readiness_repeat: "grade 6 repeated",
  ninth_grade_success_repeat: "grade 9 repeated",
  five_year_graduation: "past the four-year deadline",
  late_graduation: "past the five-year deadline",
};

/**
 * The prior milestone in words, e.g. "grade 9 repeated: Passing every grade 9 course was missed
 * in 2019".
 */
export function priorMilestoneText(scored: Milestone, prior: PriorMilestone): string {
  const why = because[scored] ?? "already decided";
  const label = milestones[prior.milestone].label;
  if (prior.outcome === "unknown") return `${why}: ${label} has no recorded result from ${prior.school_year}`;
  return `${why}: ${label} was ${prior.outcome} in ${prior.school_year}`;
}
