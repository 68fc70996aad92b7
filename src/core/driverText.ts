import type { IndicatorName } from "./indicators.ts";

/**
 * Drivers in plain words for the people who act on them: "attendance this year 81 %",
 * "no ELA score yet". The numbers are the student's own.
 */
const pct = (v: number) => `${Math.round(v * 100)} %`;
const perYear = (v: number) => `${v.toFixed(1)} a year`;
const signed = (v: number) => `${v > 0 ? "+" : ""}${Math.round(v)}`;

const phrases: Record<IndicatorName, { value: (v: number) => string; missing: string }> = {
  attendance_rate: { value: (v) => `attendance this year ${pct(v)}`, missing: "no attendance recorded this year" },
  attendance_rate_prev: { value: (v) => `attendance last year ${pct(v)}`, missing: "no attendance record from last year" },
  chronic_absence: { value: (v) => (v ? "chronically absent this year (under 90 %)" : "not chronically absent this year"), missing: "attendance unknown" },
  iss_rate: { value: (v) => `in-school suspensions, ${perYear(v)}`, missing: "suspensions unknown" },
  oss_rate: { value: (v) => `out-of-school suspensions, ${perYear(v)}`, missing: "suspensions unknown" },
  school_moves: { value: (v) => `${v} school ${v === 1 ? "move" : "moves"} this year`, missing: "school moves unknown" },
  ever_retained: { value: (v) => (v ? "has repeated a grade" : "has not repeated a grade"), missing: "grade history unknown" },
  overage: { value: (v) => `${v} ${v === 1 ? "year" : "years"} older than usual for the grade`, missing: "no birth date on file" },
  ela_recent: { value: (v) => `last ELA score ${v}${v < 500 ? " (below proficient)" : ""}`, missing: "no ELA score yet" },
  ela_change: { value: (v) => `ELA score changed ${signed(v)} points`, missing: "no earlier ELA score to compare" },
  math_recent: { value: (v) => `last math score ${v}${v < 500 ? " (below proficient)" : ""}`, missing: "no math score yet" },
  math_change: { value: (v) => `math score changed ${signed(v)} points`, missing: "no earlier math score to compare" },
  courses_failed_prev: { value: (v) => `failed ${v} ${v === 1 ? "course" : "courses"} last year with marks`, missing: "no course marks on file" },
  course_fail_rate_prev: { value: (v) => `failed ${pct(v)} of courses last year with marks`, missing: "no course marks on file" },
  low_income: { value: (v) => (v ? "low income" : "not low income"), missing: "income status not reported" },
  ell: { value: (v) => (v ? "English learner" : "not an English learner"), missing: "English learner status not reported" },
  former_ell: { value: (v) => (v ? "former English learner" : "not a former English learner"), missing: "English learner status not reported" },
  sped: { value: (v) => (v ? "has an IEP" : "no IEP"), missing: "IEP status not reported" },
  homeless: { value: (v) => (v ? "homeless this year" : "not homeless"), missing: "housing status not reported" },
  foster_care: { value: (v) => (v ? "in foster care" : "not in foster care"), missing: "foster care status not reported" },
};

export function describeDriver(indicator: IndicatorName, value: number): string {
  const phrase = phrases[indicator];
  return Number.isNaN(value) ? phrase.missing : phrase.value(value);
}
