import { statusFlags } from "./contractColumns.ts";
import type { StudentYear } from "./studentYear.ts";

/**
 * The leak-free indicators of the contract (`docs/data-contract.md`), computed for the row at `index` of a student's rows
 * (oldest first). From that scored row only year-to-date facts are read: attendance,
 * suspensions, moves, grade and status flags. Its test scores, course marks and exit status
 * are the outcome (or decide it) and are never touched here; `test/unit/core/indicators.test.ts` proves it.
 * A missing indicator is NaN; the model decides how to fill it (see `design.ts`).
 */
export const indicatorNames = [
  "attendance_rate",
  "attendance_rate_prev",
  "chronic_absence",
  "iss_rate",
  "oss_rate",
  "school_moves",
  "ever_retained",
  "overage",
  "ela_recent",
  "ela_change",
  "math_recent",
  "math_change",
  "courses_failed_prev",
  "course_fail_rate_prev",
  ...statusFlags,
] as const;

export type IndicatorName = (typeof indicatorNames)[number];
export const indicatorCount = indicatorNames.length;
export const indicatorIndex = Object.fromEntries(indicatorNames.map((n, i) => [n, i])) as Record<IndicatorName, number>;

/** Below this share of days present a student is chronically absent (`docs/data-contract.md`). */
export const CHRONIC_ABSENCE_BELOW = 0.9;
/** Suspension counts become rates per 180 days enrolled, so year-to-date and full years compare. */
const DAYS_PER_YEAR = 180;

const I = indicatorIndex;

function attendance(row: StudentYear): number {
  return row.days_enrolled > 0 ? row.days_present / row.days_enrolled : NaN;
}

function perYear(count: number, row: StudentYear): number {
  return row.days_enrolled > 0 ? (count * DAYS_PER_YEAR) / row.days_enrolled : NaN;
}

/** Whole years of age on 1 September of the school year, minus the usual age for the grade (K = 5). */
export function overageForGrade(row: StudentYear): number {
  if (row.birth_date === undefined) return NaN;
  const [y, m, d] = row.birth_date.split("-").map(Number);
  const fallYear = row.school_year - 1;
  const age = fallYear - y - (m > 9 || (m === 9 && d > 1) ? 1 : 0);
  return age - (row.grade + 5);
}

/** A blank flag is unknown, not "no": it takes the missing-indicator path like any other. */
const flag = (v: number | undefined): number => (v === undefined ? NaN : v);

/**
 * Indicators that count a risk factor (a flag, suspensions, moves, failures): at 0 the factor is
 * absent, and an absent factor is never a reason to give for a student's risk.
 */
export const riskFactorIndicators: ReadonlySet<IndicatorName> = new Set([
  "iss_rate",
  "oss_rate",
  "school_moves",
  "courses_failed_prev",
  "course_fail_rate_prev",
  "chronic_absence",
  "ever_retained",
  ...statusFlags,
]);

/** Fills `out` (length `indicatorCount`) so hot loops can reuse one buffer. */
export function computeIndicators(rows: readonly StudentYear[], index: number, out: Float64Array = new Float64Array(indicatorCount)): Float64Array {
  const row = rows[index];
  const rate = attendance(row);
  out[I.attendance_rate] = rate;
  out[I.chronic_absence] = Number.isNaN(rate) ? NaN : rate < CHRONIC_ABSENCE_BELOW ? 1 : 0;
  out[I.iss_rate] = perYear(row.iss_count, row);
  out[I.oss_rate] = perYear(row.oss_count, row);
  out[I.school_moves] = row.school_moves;
  out[I.overage] = overageForGrade(row);
  for (const name of statusFlags) out[I[name]] = flag(row[name]);

  const previous = index > 0 && rows[index - 1].school_year === row.school_year - 1 ? rows[index - 1] : undefined;
  out[I.attendance_rate_prev] = previous ? attendance(previous) : NaN;

  let retained = 0;
  for (let k = 1; k <= index; k++) {
    if (rows[k].school_year === rows[k - 1].school_year + 1 && rows[k].grade <= rows[k - 1].grade) retained = 1;
  }
  out[I.ever_retained] = retained;

  // Earlier years only: the scored year's scores and marks are the outcome.
  let ela = NaN, elaBefore = NaN, math = NaN, mathBefore = NaN, failed = NaN, failRate = NaN;
  for (let k = index - 1; k >= 0; k--) {
    const r = rows[k];
    if (r.ela_scaled !== undefined) {
      if (Number.isNaN(ela)) ela = r.ela_scaled;
      else if (Number.isNaN(elaBefore)) elaBefore = r.ela_scaled;
    }
    if (r.math_scaled !== undefined) {
      if (Number.isNaN(math)) math = r.math_scaled;
      else if (Number.isNaN(mathBefore)) mathBefore = r.math_scaled;
    }
    if (Number.isNaN(failed) && r.courses_attempted !== undefined && r.courses_attempted > 0 && r.courses_failed !== undefined) {
      failed = r.courses_failed;
      failRate = r.courses_failed / r.courses_attempted;
    }
  }
  out[I.ela_recent] = ela;
  out[I.ela_change] = ela - elaBefore;
  out[I.math_recent] = math;
  out[I.math_change] = math - mathBefore;
  out[I.courses_failed_prev] = failed;
  out[I.course_fail_rate_prev] = failRate;
  return out;
}
