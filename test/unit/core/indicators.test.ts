import { describe, expect, it } from "vitest";
import { computeIndicators, indicatorIndex as I, indicatorNames, overageForGrade, type StudentYear } from "../../../src/core/index.ts";
import { career, studentYear } from "../../support/studentRows.ts";

const at = (rows: StudentYear[], index = rows.length - 1) => computeIndicators(rows, index);

describe("computeIndicators", () => {
  const rows = career({ year: 2021, grade: 3 }, [
    { days_enrolled: "180", days_present: "171", ela_scaled: "480", math_scaled: "505", low_income: "1" },
    { days_enrolled: "180", days_present: "153", ela_scaled: "492", math_scaled: "498", iss_count: "1" },
    { days_enrolled: "60", days_present: "50", oss_count: "2", iss_count: "1", school_moves: "1", ell: "1", birth_date: "2012-03-04" },
  ]);
  const x = at(rows);

  it("reads this year's attendance and suspensions as year-to-date rates", () => {
    expect(x[I.attendance_rate]).toBeCloseTo(50 / 60, 12);
    expect(x[I.chronic_absence]).toBe(1);
    expect(x[I.oss_rate]).toBeCloseTo(2 * 3, 12); // 2 in 60 days = 6 per 180
    expect(x[I.iss_rate]).toBeCloseTo(3, 12);
    expect(x[I.school_moves]).toBe(1);
  });

  it("takes last year's attendance and the latest earlier scores and their change", () => {
    expect(x[I.attendance_rate_prev]).toBeCloseTo(153 / 180, 12);
    expect(x[I.ela_recent]).toBe(492);
    expect(x[I.ela_change]).toBe(12);
    expect(x[I.math_recent]).toBe(498);
    expect(x[I.math_change]).toBe(-7);
  });

  it("reads the status flags of the scored year, a blank flag as missing", () => {
    expect(x[I.ell]).toBe(1);
    expect(x[I.low_income]).toBeNaN();
    expect(at([studentYear({ low_income: "0" })])[I.low_income]).toBe(0);
  });

  it("marks missing indicators NaN rather than inventing a value", () => {
    const first = at([studentYear({ grade: "1" })]);
    for (const name of ["attendance_rate_prev", "ela_recent", "ela_change", "math_recent", "courses_failed_prev", "overage"] as const) {
      expect(first[I[name]], name).toBeNaN();
    }
    expect(first[I.ever_retained]).toBe(0);
    expect(at([studentYear({ days_enrolled: "0", days_present: "0" })])[I.attendance_rate]).toBeNaN();
  });

  it("flags retention when a year repeats or lowers the grade", () => {
    const retained = [studentYear({ school_year: "2020", grade: "3" }), studentYear({ school_year: "2021", grade: "3" })];
    expect(at(retained)[I.ever_retained]).toBe(1);
    expect(at(rows)[I.ever_retained]).toBe(0);
  });

  it("computes overage from the age on 1 September of the school year", () => {
    // Born 2012-03-04: 10 on 1 Sept 2022, usual grade 5 age is 10.
    expect(overageForGrade(studentYear({ school_year: "2023", grade: "5", birth_date: "2012-03-04" }))).toBe(0);
    expect(overageForGrade(studentYear({ school_year: "2023", grade: "4", birth_date: "2012-03-04" }))).toBe(1);
    // Born 2 September: still 9 on 1 September 2022.
    expect(overageForGrade(studentYear({ school_year: "2023", grade: "5", birth_date: "2012-09-02" }))).toBe(-1);
  });

  it("takes course failures from the latest earlier year with marks", () => {
    const high = career({ year: 2022, grade: 8 }, [{ courses_attempted: "6", courses_failed: "2" }, { courses_attempted: "7", courses_failed: "0" }, {}]);
    const y = at(high);
    expect(y[I.courses_failed_prev]).toBe(0);
    expect(at(high, 1)[I.courses_failed_prev]).toBe(2);
    expect(at(high, 1)[I.course_fail_rate_prev]).toBeCloseTo(2 / 6, 12);
  });
});

describe("leakage", () => {
  it("never reads the scored year's test scores, course marks or exit status", () => {
    const base = career({ year: 2021, grade: 8 }, [
      { ela_scaled: "470", math_scaled: "480", courses_attempted: "6", courses_failed: "1" },
      { ela_scaled: "490", math_scaled: "495", courses_attempted: "7", courses_failed: "2" },
    ]);
    const outcomeFilled = base.map((r, k) =>
      k === base.length - 1 ? { ...r, ela_scaled: 560, math_scaled: 440, courses_attempted: 8, courses_failed: 8, exit_status: "dropped_out" as const, postsecondary_enrolled: 1 as const } : r,
    );
    const outcomeBlank = base.map((r, k) =>
      k === base.length - 1 ? { ...r, ela_scaled: undefined, math_scaled: undefined, courses_attempted: undefined, courses_failed: undefined, exit_status: "enrolled" as const } : r,
    );
    expect(Array.from(at(outcomeFilled))).toEqual(Array.from(at(outcomeBlank)));
    expect(Array.from(at(base))).toEqual(Array.from(at(outcomeBlank)));
  });

  it("never reads a later year", () => {
    const rows = career({ year: 2021, grade: 4 }, [{ ela_scaled: "480" }, { ela_scaled: "520" }, { days_present: "100" }]);
    expect(Array.from(computeIndicators(rows, 1))).toEqual(Array.from(computeIndicators(rows.slice(0, 2), 1)));
  });

  it("uses neither race/ethnicity nor gender", () => {
    expect(indicatorNames).not.toContain("race_ethnicity");
    expect(indicatorNames).not.toContain("gender");
    const a = at([studentYear({ race_ethnicity: "B", gender: "F" })]);
    const b = at([studentYear({ race_ethnicity: "W", gender: "M" })]);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
