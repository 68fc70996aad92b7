import { grade9Year, PROFICIENT, type Milestone } from "./milestones.ts";
import type { StudentYear } from "./studentYear.ts";

export type UnknownReason =
  | "not_reached_yet"
  | "left_the_data"
  | "transferred_out"
  | "not_tested"
  | "no_course_marks"
  | "no_postsecondary_record"
  | "no_remedial_record"
  | "no_persistence_record"
  | "no_row_for_grade"
  | "cohort_still_open";

/**
 * A milestone's outcome for one student. `decidedYear` is the school year whose row settled it:
 * rows after it are no longer "before the milestone" and are not training examples.
 * `cohortYear` is the school year by whose end the outcome is known for everyone of the cohort
 * (the first grade 3, 6 or 9 year; the graduation deadline; the year after it for college
 * persistence). Some outcomes are settled early (a dropout), so a cohort is only fit to learn
 * from once its due year is over.
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

const readingProficient = (r: StudentYear) => (r.ela_scaled === undefined ? undefined : r.ela_scaled >= PROFICIENT);
const elaAndMathProficient = (r: StudentYear) =>
  r.ela_scaled === undefined || r.math_scaled === undefined ? undefined : r.ela_scaled >= PROFICIENT && r.math_scaled >= PROFICIENT;
const noCourseFailed = (r: StudentYear) =>
  r.courses_attempted === undefined || r.courses_attempted === 0 || r.courses_failed === undefined ? undefined : r.courses_failed === 0;

/**
 * `rows` are one student's rows oldest first; `lastYear` is the data's last (year-to-date) school
 * year, whose rows cannot show that a deadline has passed. `at` is the row being predicted from:
 * a follow-on milestone (a repeated grade's year, a fifth or later high-school year) has one
 * outcome per such row; the first-time milestones have one per student and ignore it.
 */
export function milestoneOutcome(milestone: Milestone, rows: readonly StudentYear[], lastYear: number, at = -1): MilestoneOutcome {
  switch (milestone) {
    case "early_literacy":
      return firstYearOutcome(rows, lastYear, 3, readingProficient, "not_tested");
    case "middle_readiness":
      return firstYearOutcome(rows, lastYear, 6, elaAndMathProficient, "not_tested");
    case "ninth_grade_success":
      return firstYearOutcome(rows, lastYear, 9, noCourseFailed, "no_course_marks");
    case "early_literacy_repeat":
      return rowOutcome(rows[at], lastYear, readingProficient, "not_tested");
    case "middle_readiness_repeat":
      return rowOutcome(rows[at], lastYear, elaAndMathProficient, "not_tested");
    case "ninth_grade_success_repeat":
      return rowOutcome(rows[at], lastYear, noCourseFailed, "no_course_marks");
    case "on_time_graduation":
      return graduationBy(rows, lastYear, (g9) => g9 + 3);
    case "five_year_graduation":
      return graduationBy(rows, lastYear, (g9) => g9 + 4);
    case "late_graduation":
      return graduationBy(rows, lastYear, () => rows[at].school_year);
    case "postsecondary_enrollment":
      return afterGraduation(rows, lastYear, (g) => (g.postsecondary_enrolled === undefined ? undefined : g.postsecondary_enrolled === 1), "no_postsecondary_record", 0);
    case "postsecondary_readiness":
      return afterGraduation(rows, lastYear, (g) => enrolledAnd(g, g.postsecondary_remedial === undefined ? undefined : g.postsecondary_remedial === 0), "no_remedial_record", 0);
    case "postsecondary_persistence":
      // Known a year after enrolment: the fall of the second college year.
      return afterGraduation(rows, lastYear, (g) => enrolledAnd(g, g.postsecondary_persisted === undefined ? undefined : g.postsecondary_persisted === 1), "no_persistence_record", 1);
  }
}

/** Enrolled and `then`: a graduate who never enrolled has missed it, whatever else is blank. */
function enrolledAnd(graduate: StudentYear, then: boolean | undefined): boolean | "no_enrolment_record" | undefined {
  if (graduate.postsecondary_enrolled === undefined) return "no_enrolment_record";
  if (graduate.postsecondary_enrolled === 0) return false;
  return then;
}

function firstYearOutcome(
  rows: readonly StudentYear[],
  lastYear: number,
  grade: number,
  reached: (row: StudentYear) => boolean | undefined,
  whenBlank: UnknownReason,
): MilestoneOutcome {
  const row = rows.find((r) => r.grade === grade);
  if (!row) return unknown(rows.some((r) => r.grade > grade) ? "no_row_for_grade" : leftOrNotYet(rows, lastYear));
  return rowOutcome(row, lastYear, reached, whenBlank);
}

/** The outcome a year's own row holds: its scores or marks, once the year is complete. */
function rowOutcome(row: StudentYear, lastYear: number, reached: (row: StudentYear) => boolean | undefined, whenBlank: UnknownReason): MilestoneOutcome {
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
 * Graduated no later than the deadline school year (from the first grade 9 year): reached. A
 * dropout by then, or a student still in the data once the deadline year is over, missed it; one
 * who transferred out of state before it is unknown.
 */
function graduationBy(rows: readonly StudentYear[], lastYear: number, deadlineFrom: (grade9Year: number) => number): MilestoneOutcome {
  const g9 = grade9Year(rows);
  if (g9 === undefined) return unknown(leftOrNotYet(rows, lastYear));
  const deadline = deadlineFrom(g9);
  const graduation = rows.find((r) => r.exit_status === "graduated");
  if (graduation && graduation.school_year <= deadline) return decided(true, graduation.school_year, deadline);
  const last = rows[rows.length - 1];
  if (last.exit_status === "transferred_out" && last.school_year <= deadline) return unknown("transferred_out");
  if (last.exit_status === "dropped_out" && last.school_year <= deadline) return decided(false, last.school_year, deadline);
  // Still in the data once the deadline year is over: a complete deadline year, or any later row.
  if (last.school_year > deadline || (last.school_year === deadline && deadline < lastYear)) return decided(false, deadline);
  return unknown(last.school_year < deadline && deadline < lastYear ? "left_the_data" : "not_reached_yet");
}

/**
 * A college milestone: read off the graduate's row (`fromGraduate`); a dropout has missed it.
 * The cohort is the on-time graduation year plus `yearsAfter`, the years after enrolment that
 * the outcome takes to be known.
 */
function afterGraduation(
  rows: readonly StudentYear[],
  lastYear: number,
  fromGraduate: (graduate: StudentYear) => boolean | "no_enrolment_record" | undefined,
  whenBlank: UnknownReason,
  yearsAfter: number,
): MilestoneOutcome {
  const g9 = grade9Year(rows);
  const cohort = (year: number) => (g9 === undefined ? year : g9 + 3) + yearsAfter;
  const graduation = rows.find((r) => r.exit_status === "graduated");
  if (graduation) {
    const result = fromGraduate(graduation);
    if (result === "no_enrolment_record") return unknown("no_postsecondary_record");
    if (result === undefined) return unknown(whenBlank);
    return decided(result, graduation.school_year, cohort(graduation.school_year));
  }
  const last = rows[rows.length - 1];
  if (last.exit_status === "dropped_out") return decided(false, last.school_year, cohort(last.school_year));
  return unknown(leftOrNotYet(rows, lastYear));
}
