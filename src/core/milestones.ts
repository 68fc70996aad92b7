import { EwisError } from "./errors.ts";
import type { StudentYear } from "./studentYear.ts";

/** The five milestones of `shared/spec/student-year.md`, each with the grades scored for it. */
export const milestones = {
  early_literacy: { grades: [1, 2, 3], description: "ELA proficient (≥ 500) in the first grade 3 year" },
  middle_readiness: { grades: [4, 5, 6], description: "ELA and math proficient (≥ 500) in the first grade 6 year" },
  ninth_grade_success: { grades: [7, 8, 9], description: "no course failed in the first grade 9 year" },
  on_time_graduation: { grades: [10, 11, 12], description: "graduated within 3 school years after the first grade 9 year" },
  postsecondary_enrollment: { grades: [11, 12], description: "graduated and enrolled in college by the next fall" },
} as const;

export type Milestone = keyof typeof milestones;
export const milestoneNames = Object.keys(milestones) as Milestone[];

export const PROFICIENT = 500;

export function parseMilestone(name: string): Milestone {
  if (name in milestones) return name as Milestone;
  throw new EwisError("unknown_milestone", `unknown milestone "${name}"; expected one of ${milestoneNames.join(", ")}`, {
    milestone: name,
  });
}

/** Milestones whose band holds this grade: a grade 11 student is scored for two. */
export function milestonesForGrade(grade: number): Milestone[] {
  return milestoneNames.filter((m) => (milestones[m].grades as readonly number[]).includes(grade));
}

export type UnknownReason =
  | "not_reached_yet"
  | "left_the_data"
  | "transferred_out"
  | "not_tested"
  | "no_course_marks"
  | "no_postsecondary_record"
  | "no_row_for_grade"
  | "cohort_still_open";

/**
 * A milestone's outcome for one student. `decidedYear` is the school year whose row settled it:
 * rows after it are no longer "before the milestone" and are not training examples.
 * `cohortYear` is the school year in which the milestone falls due for the student (the first
 * grade 3, 6 or 9 year; the grade 9 year + 3 for the high-school milestones). Some outcomes are
 * settled early (a dropout), so a cohort is only fit to learn from once its due year is over.
 */
export type MilestoneOutcome =
  | { outcome: "reached" | "missed"; decidedYear: number; cohortYear: number }
  | { outcome: "unknown"; reason: UnknownReason };

const unknown = (reason: UnknownReason): MilestoneOutcome => ({ outcome: "unknown", reason });
const decided = (reached: boolean, decidedYear: number, cohortYear = decidedYear): MilestoneOutcome => ({
  outcome: reached ? "reached" : "missed",
  decidedYear,
  cohortYear,
});

/**
 * `rows` are one student's rows oldest first; `lastYear` is the data's last (year-to-date) school
 * year, whose rows cannot show that a deadline has passed.
 */
export function milestoneOutcome(milestone: Milestone, rows: readonly StudentYear[], lastYear: number): MilestoneOutcome {
  switch (milestone) {
    case "early_literacy":
      return scoreMilestone(rows, lastYear, 3, (r) => (r.ela_scaled === undefined ? undefined : r.ela_scaled >= PROFICIENT), "not_tested");
    case "middle_readiness":
      return scoreMilestone(
        rows,
        lastYear,
        6,
        (r) => (r.ela_scaled === undefined || r.math_scaled === undefined ? undefined : r.ela_scaled >= PROFICIENT && r.math_scaled >= PROFICIENT),
        "not_tested",
      );
    case "ninth_grade_success":
      return scoreMilestone(
        rows,
        lastYear,
        9,
        (r) => (r.courses_attempted === undefined || r.courses_attempted === 0 || r.courses_failed === undefined ? undefined : r.courses_failed === 0),
        "no_course_marks",
      );
    case "on_time_graduation":
      return onTimeGraduation(rows, lastYear);
    case "postsecondary_enrollment":
      return postsecondaryEnrollment(rows, lastYear);
  }
}

function scoreMilestone(
  rows: readonly StudentYear[],
  lastYear: number,
  grade: number,
  reached: (row: StudentYear) => boolean | undefined,
  whenBlank: UnknownReason,
): MilestoneOutcome {
  const row = rows.find((r) => r.grade === grade);
  if (!row) return unknown(rows.some((r) => r.grade > grade) ? "no_row_for_grade" : leftOrNotYet(rows, lastYear));
  const result = reached(row);
  if (result !== undefined) return decided(result, row.school_year);
  return unknown(row.school_year === lastYear ? "not_reached_yet" : whenBlank);
}

/** Why a student's data stop short of a milestone: moved away, left otherwise, or simply not there yet. */
function leftOrNotYet(rows: readonly StudentYear[], lastYear: number): UnknownReason {
  const last = rows[rows.length - 1];
  if (last.exit_status === "transferred_out") return "transferred_out";
  return last.exit_status !== "enrolled" || last.school_year < lastYear ? "left_the_data" : "not_reached_yet";
}

/**
 * The first grade 9 year; a student who entered in grade 10 or later takes the year they would
 * have entered grade 9 (spec), and one whose grade 9 row is missing between other rows likewise.
 */
export function grade9Year(rows: readonly StudentYear[]): number | undefined {
  const ninth = rows.find((r) => r.grade === 9);
  if (ninth) return ninth.school_year;
  const later = rows.find((r) => r.grade > 9);
  return later ? later.school_year - (later.grade - 9) : undefined;
}

function onTimeGraduation(rows: readonly StudentYear[], lastYear: number): MilestoneOutcome {
  const g9 = grade9Year(rows);
  if (g9 === undefined) return unknown(leftOrNotYet(rows, lastYear));
  const deadline = g9 + 3;
  const graduation = rows.find((r) => r.exit_status === "graduated");
  if (graduation && graduation.school_year <= deadline) return decided(true, graduation.school_year, deadline);
  const last = rows[rows.length - 1];
  if (last.exit_status === "transferred_out" && last.school_year <= deadline) return unknown("transferred_out");
  if (last.exit_status === "dropped_out" && last.school_year <= deadline) return decided(false, last.school_year, deadline);
  // Still in the data once the deadline year is over: a complete deadline year, or any later row.
  if (last.school_year > deadline || (last.school_year === deadline && deadline < lastYear)) return decided(false, deadline);
  return unknown(last.school_year < deadline && deadline < lastYear ? "left_the_data" : "not_reached_yet");
}

function postsecondaryEnrollment(rows: readonly StudentYear[], lastYear: number): MilestoneOutcome {
  const g9 = grade9Year(rows);
  const graduation = rows.find((r) => r.exit_status === "graduated");
  if (graduation) {
    const enrolled = graduation.postsecondary_enrolled;
    if (enrolled === undefined) return unknown("no_postsecondary_record");
    return decided(enrolled === 1, graduation.school_year, g9 === undefined ? graduation.school_year : g9 + 3);
  }
  const last = rows[rows.length - 1];
  if (last.exit_status === "dropped_out") return decided(false, last.school_year, g9 === undefined ? last.school_year : g9 + 3);
  return unknown(leftOrNotYet(rows, lastYear));
}

/** The grade whose first year settles each of the three early milestones. */
const dueGrade: Partial<Record<Milestone, number>> = { early_literacy: 3, middle_readiness: 6, ninth_grade_success: 9 };

/**
 * Whether a milestone was settled before the row at `index`, from earlier rows only: a retained
 * grade 3 student's first grade 3 year is behind them; a fifth-year senior is past the on-time
 * deadline. Such a row is not scored for that milestone: there is nothing left to predict, and
 * no model was trained on such rows. College enrolment is never settled for an enrolled student.
 */
export function milestoneSettled(milestone: Milestone, rows: readonly StudentYear[], index: number): boolean {
  const grade = dueGrade[milestone];
  if (grade !== undefined) {
    for (let k = 0; k < index; k++) if (rows[k].grade === grade) return true;
    return false;
  }
  if (milestone !== "on_time_graduation") return false;
  const g9 = grade9Year(rows.slice(0, index + 1));
  return g9 !== undefined && g9 + 3 < rows[index].school_year;
}
