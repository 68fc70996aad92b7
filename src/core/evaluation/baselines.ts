/**
 * The rule-based flags a district could use without any model, computed for the row at
 * `index` of one student's rows (oldest first) under the same leakage rule as the indicators:
 * from the scored row only year-to-date attendance and suspensions; its test scores, course
 * marks and exit status are the outcome and are never read. Earlier rows are read in full.
 * The evaluation compares the model's ROC curve with each rule's (FPR, TPR) point.
 */
import { CHRONIC_ABSENCE_BELOW } from "../indicators.ts";
import type { StudentYear } from "../studentYear.ts";

/** Scaled scores below this are "Not Meeting" expectations. */
const NOT_MEETING_BELOW = 470;

export const ABC_DESCRIPTION =
  "ABC flag: attendance this year so far below 90 %, or any in- or out-of-school suspension this year, " +
  "or any course failed in the most recent earlier year with course marks, " +
  `or the most recent earlier ELA or math score below ${NOT_MEETING_BELOW} (Not Meeting).`;

/** Credits are approximated by courses passed: the student-year contract has no credits or core-course field. */
export const FRESHMAN_ON_TRACK_DESCRIPTION =
  "Freshman on-track (flag = not on track): in the most recent earlier year with course marks, when it was grade 9, " +
  "at most one course failed and at least 5 courses passed. Credits are approximated by courses passed and any course " +
  "counts: the data contract has no credit or core-course field. Students without such a grade 9 year are not judged.";

/** Most recent row before `index` with course marks (attempted > 0 and failed known), as the indicators define it. */
function latestWithMarks(rows: readonly StudentYear[], index: number): StudentYear | undefined {
  for (let k = index - 1; k >= 0; k--) {
    const r = rows[k];
    if (r.courses_attempted !== undefined && r.courses_attempted > 0 && r.courses_failed !== undefined) return r;
  }
  return undefined;
}

function latestScore(rows: readonly StudentYear[], index: number, field: "ela_scaled" | "math_scaled"): number | undefined {
  for (let k = index - 1; k >= 0; k--) {
    const score = rows[k][field];
    if (score !== undefined) return score;
  }
  return undefined;
}

/** Attendance, Behaviour, Course performance: true = flagged at risk. A missing fact never flags. */
export function abcFlag(rows: readonly StudentYear[], index: number): boolean {
  const row = rows[index];
  if (row.days_enrolled > 0 && row.days_present / row.days_enrolled < CHRONIC_ABSENCE_BELOW) return true;
  if (row.iss_count > 0 || row.oss_count > 0) return true;
  const marks = latestWithMarks(rows, index);
  if (marks !== undefined && (marks.courses_failed ?? 0) > 0) return true;
  const ela = latestScore(rows, index, "ela_scaled");
  const math = latestScore(rows, index, "math_scaled");
  return (ela !== undefined && ela < NOT_MEETING_BELOW) || (math !== undefined && math < NOT_MEETING_BELOW);
}

/**
 * True = on track, false = off track, undefined = not judged (the most recent earlier year with
 * course marks is missing or was not grade 9). The baseline's flag is `freshmanOffTrack`.
 */
export function freshmanOnTrack(rows: readonly StudentYear[], index: number): boolean | undefined {
  const marks = latestWithMarks(rows, index);
  if (marks === undefined || marks.grade !== 9) return undefined;
  const attempted = marks.courses_attempted ?? 0;
  const failed = marks.courses_failed ?? 0;
  return failed <= 1 && attempted - failed >= 5;
}

/** The freshman on-track rule as a flag: true = NOT on track (at risk); undefined = not judged. */
export function freshmanOffTrack(rows: readonly StudentYear[], index: number): boolean | undefined {
  const onTrack = freshmanOnTrack(rows, index);
  return onTrack === undefined ? undefined : !onTrack;
}
