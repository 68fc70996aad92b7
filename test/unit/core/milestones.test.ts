import { describe, expect, it } from "vitest";
import { grade9Year, milestoneOutcome, milestonesForGrade, openMilestones, parseMilestone, priorMilestone, priorMilestoneText } from "../../../src/core/index.ts";
import { career, studentYear } from "../../support/studentRows.ts";

const LAST = 2027;

describe("milestonesForGrade", () => {
  it("maps each band grade to its milestones, first-time and follow-on, none for K", () => {
    expect(milestonesForGrade(0)).toEqual([]);
    expect(milestonesForGrade(2)).toEqual(["early_literacy", "early_literacy_repeat"]);
    expect(milestonesForGrade(6)).toEqual(["middle_readiness", "middle_readiness_repeat"]);
    expect(milestonesForGrade(9)).toEqual(["ninth_grade_success", "ninth_grade_success_repeat"]);
    expect(milestonesForGrade(10)).toEqual(["on_time_graduation", "five_year_graduation", "late_graduation"]);
    expect(milestonesForGrade(12)).toEqual([
      "on_time_graduation", "five_year_graduation", "late_graduation", "postsecondary_enrollment", "postsecondary_readiness", "postsecondary_persistence",
    ]);
  });

  it("rejects an unknown milestone name with its code", () => {
    expect(() => parseMilestone("graduation")).toThrow(expect.objectContaining({ code: "unknown_milestone" }));
  });
});

describe("early_literacy", () => {
  it("is reached with ELA 500 and missed with 499 in the first grade 3 year", () => {
    const reached = career({ year: 2018, grade: 1 }, [{}, {}, { ela_scaled: "500" }]);
    const missed = career({ year: 2018, grade: 1 }, [{}, {}, { ela_scaled: "499" }]);
    expect(milestoneOutcome("early_literacy", reached, LAST)).toEqual({ outcome: "reached", decidedYear: 2020, cohortYear: 2020 });
    expect(milestoneOutcome("early_literacy", missed, LAST)).toEqual({ outcome: "missed", decidedYear: 2020, cohortYear: 2020 });
  });

  it("uses the first grade 3 year for a retained student, not the repeat", () => {
    const rows = [
      studentYear({ school_year: "2020", grade: "3", ela_scaled: "480" }),
      studentYear({ school_year: "2021", grade: "3", ela_scaled: "520" }),
    ];
    expect(milestoneOutcome("early_literacy", rows, LAST)).toEqual({ outcome: "missed", decidedYear: 2020, cohortYear: 2020 });
  });

  it("is unknown when untested, not yet in grade 3, or transferred out before it", () => {
    expect(milestoneOutcome("early_literacy", [studentYear({ grade: "3" })], LAST)).toEqual({ outcome: "unknown", reason: "not_tested" });
    expect(milestoneOutcome("early_literacy", [studentYear({ grade: "2", school_year: "2027" })], LAST)).toEqual({
      outcome: "unknown",
      reason: "not_reached_yet",
    });
    expect(milestoneOutcome("early_literacy", [studentYear({ grade: "2", exit_status: "transferred_out" })], LAST)).toEqual({
      outcome: "unknown",
      reason: "transferred_out",
    });
  });
});

describe("middle_readiness", () => {
  it("needs both ELA and math at 500 or more in the first grade 6 year", () => {
    const both = [studentYear({ grade: "6", ela_scaled: "510", math_scaled: "500" })];
    const oneShort = [studentYear({ grade: "6", ela_scaled: "510", math_scaled: "499" })];
    const oneBlank = [studentYear({ grade: "6", ela_scaled: "510" })];
    expect(milestoneOutcome("middle_readiness", both, LAST).outcome).toBe("reached");
    expect(milestoneOutcome("middle_readiness", oneShort, LAST).outcome).toBe("missed");
    expect(milestoneOutcome("middle_readiness", oneBlank, LAST)).toEqual({ outcome: "unknown", reason: "not_tested" });
  });
});

describe("ninth_grade_success", () => {
  it("is reached with no course failed, missed with one, unknown without course marks", () => {
    expect(milestoneOutcome("ninth_grade_success", [studentYear({ grade: "9", courses_attempted: "7", courses_failed: "0" })], LAST).outcome).toBe("reached");
    expect(milestoneOutcome("ninth_grade_success", [studentYear({ grade: "9", courses_attempted: "7", courses_failed: "1" })], LAST).outcome).toBe("missed");
    expect(milestoneOutcome("ninth_grade_success", [studentYear({ grade: "9", courses_attempted: "0" })], LAST)).toEqual({
      outcome: "unknown",
      reason: "no_course_marks",
    });
  });
});

describe("on_time_graduation", () => {
  const fourYears = (last: Record<string, string>) => career({ year: 2020, grade: 9 }, [{}, {}, {}, last]);

  it("is reached by graduating within 3 school years after the first grade 9 year", () => {
    expect(milestoneOutcome("on_time_graduation", fourYears({ exit_status: "graduated" }), LAST)).toEqual({ outcome: "reached", decidedYear: 2023, cohortYear: 2023 });
  });

  it("is missed by a fifth-year graduate, a dropout, or a student still enrolled after the deadline year", () => {
    const fifthYear = [...fourYears({}), studentYear({ school_year: "2024", grade: "12", exit_status: "graduated" })];
    expect(milestoneOutcome("on_time_graduation", fifthYear, LAST)).toEqual({ outcome: "missed", decidedYear: 2023, cohortYear: 2023 });
    const dropout = career({ year: 2020, grade: 9 }, [{}, { exit_status: "dropped_out" }]);
    expect(milestoneOutcome("on_time_graduation", dropout, LAST)).toEqual({ outcome: "missed", decidedYear: 2021, cohortYear: 2023 });
    expect(milestoneOutcome("on_time_graduation", fourYears({}), LAST)).toEqual({ outcome: "missed", decidedYear: 2023, cohortYear: 2023 });
  });

  it("is unknown for a student who transferred out before graduating", () => {
    const moved = career({ year: 2020, grade: 9 }, [{}, { exit_status: "transferred_out" }]);
    expect(milestoneOutcome("on_time_graduation", moved, LAST)).toEqual({ outcome: "unknown", reason: "transferred_out" });
  });

  it("is unknown while the deadline year is the current, year-to-date one", () => {
    const senior = career({ year: 2024, grade: 9 }, [{}, {}, {}, {}]);
    expect(senior.at(-1)?.school_year).toBe(2027);
    expect(milestoneOutcome("on_time_graduation", senior, LAST)).toEqual({ outcome: "unknown", reason: "not_reached_yet" });
  });

  it("takes the would-be grade 9 year for a student who entered in grade 11", () => {
    const lateEntry = career({ year: 2022, grade: 11 }, [{}, { exit_status: "graduated" }]);
    expect(grade9Year(lateEntry)).toBe(2020);
    expect(milestoneOutcome("on_time_graduation", lateEntry, LAST)).toEqual({ outcome: "reached", decidedYear: 2023, cohortYear: 2023 });
    const lateAndSlow = career({ year: 2022, grade: 11 }, [{}, {}]);
    lateAndSlow.push(studentYear({ school_year: "2024", grade: "12", exit_status: "graduated" }));
    expect(milestoneOutcome("on_time_graduation", lateAndSlow, LAST)).toEqual({ outcome: "missed", decidedYear: 2023, cohortYear: 2023 });
  });
});

describe("unknown reasons and settled milestones", () => {
  it("says a student who left before the milestone left the data, and one still on the way has not reached it", () => {
    expect(milestoneOutcome("early_literacy", [studentYear({ grade: "1", school_year: "2020" })], LAST)).toEqual({ outcome: "unknown", reason: "left_the_data" });
    expect(milestoneOutcome("early_literacy", [studentYear({ grade: "3", school_year: "2027" })], LAST)).toEqual({ outcome: "unknown", reason: "not_reached_yet" });
    const agedOut = [studentYear({ grade: "12", school_year: "2024", exit_status: "other" })];
    expect(milestoneOutcome("postsecondary_enrollment", agedOut, LAST)).toEqual({ outcome: "unknown", reason: "left_the_data" });
  });

  it("counts a dropout who came back and graduated on time as reached", () => {
    const returned = career({ year: 2020, grade: 9 }, [{}, { exit_status: "dropped_out" }]);
    returned.push(studentYear({ school_year: "2022", grade: "11" }), studentYear({ school_year: "2023", grade: "12", exit_status: "graduated" }));
    expect(milestoneOutcome("on_time_graduation", returned, LAST)).toEqual({ outcome: "reached", decidedYear: 2023, cohortYear: 2023 });
  });

  it("derives the grade 9 year from a later row when the grade 9 row is missing", () => {
    const gap = [studentYear({ school_year: "2020", grade: "8" }), studentYear({ school_year: "2022", grade: "10" })];
    expect(grade9Year(gap)).toBe(2021);
  });

  it("opens the follow-on milestone once the first-time one is behind a retained grade 3 student or a fifth-year senior", () => {
    const retained = [studentYear({ school_year: "2026", grade: "3", ela_scaled: "470" }), studentYear({ school_year: "2027", grade: "3" })];
    expect(openMilestones(retained, 0)).toEqual(["early_literacy"]);
    expect(openMilestones(retained, 1)).toEqual(["early_literacy_repeat"]);
    const fifthYear = career({ year: 2023, grade: 9 }, [{}, {}, {}, {}]);
    fifthYear.push(studentYear({ school_year: "2027", grade: "12" }));
    expect(openMilestones(fifthYear, 3)).toEqual(["on_time_graduation", "postsecondary_enrollment", "postsecondary_readiness", "postsecondary_persistence"]);
    expect(openMilestones(fifthYear, 4)).toEqual(["five_year_graduation", "postsecondary_enrollment", "postsecondary_readiness", "postsecondary_persistence"]);
  });
});

describe("postsecondary_enrollment", () => {
  it("is reached by a graduate enrolled in college, missed by one who is not or by a dropout", () => {
    const graduate = (enrolled: string) => [studentYear({ grade: "12", exit_status: "graduated", postsecondary_enrolled: enrolled })];
    expect(milestoneOutcome("postsecondary_enrollment", graduate("1"), LAST).outcome).toBe("reached");
    expect(milestoneOutcome("postsecondary_enrollment", graduate("0"), LAST).outcome).toBe("missed");
    expect(milestoneOutcome("postsecondary_enrollment", [studentYear({ grade: "11", exit_status: "dropped_out" })], LAST)).toEqual({
      outcome: "missed",
      decidedYear: 2020,
      cohortYear: 2021,
    });
  });

  it("is unknown for a graduate without a college record and for a transfer", () => {
    expect(milestoneOutcome("postsecondary_enrollment", [studentYear({ grade: "12", exit_status: "graduated" })], LAST)).toEqual({
      outcome: "unknown",
      reason: "no_postsecondary_record",
    });
    expect(milestoneOutcome("postsecondary_enrollment", [studentYear({ grade: "11", exit_status: "transferred_out" })], LAST)).toEqual({
      outcome: "unknown",
      reason: "transferred_out",
    });
  });
});

describe("follow-on milestones: a repeated grade", () => {
  const retained = career({ year: 2019, grade: 1 }, [{}, {}, { ela_scaled: "470" }, { grade: "3", ela_scaled: "505" }, { grade: "3", ela_scaled: "480" }, { grade: "4" }]);

  it("gives each repeated grade 3 year its own outcome, from that year's score", () => {
    expect(openMilestones(retained, 2)).toEqual(["early_literacy"]);
    expect(openMilestones(retained, 3)).toEqual(["early_literacy_repeat"]);
    // Moved back below grade 3 after it: still scored, for the repeat.
    const back = career({ year: 2020, grade: 3 }, [{ ela_scaled: "470" }, { grade: "2" }]);
    expect(openMilestones(back, 1)).toEqual(["early_literacy_repeat"]);
    expect(milestoneOutcome("early_literacy_repeat", retained, LAST, 3)).toEqual({ outcome: "reached", decidedYear: 2022, cohortYear: 2022 });
    expect(milestoneOutcome("early_literacy_repeat", retained, LAST, 4)).toEqual({ outcome: "missed", decidedYear: 2023, cohortYear: 2023 });
    // The first-time milestone is still decided by the first grade 3 year.
    expect(milestoneOutcome("early_literacy", retained, LAST)).toEqual({ outcome: "missed", decidedYear: 2021, cohortYear: 2021 });
  });

  it("says what the first year decided, or that it has no result", () => {
    expect(priorMilestone("early_literacy_repeat", retained, 4)).toEqual({ milestone: "early_literacy", outcome: "missed", school_year: 2021 });
    const untested = career({ year: 2025, grade: 6 }, [{}, { grade: "6" }]);
    const prior = priorMilestone("middle_readiness_repeat", untested, 1)!;
    expect(prior).toEqual({ milestone: "middle_readiness", outcome: "unknown", school_year: 2025 });
    expect(priorMilestoneText("middle_readiness_repeat", prior)).toBe("grade 6 repeated: ELA and math by grade 6 has no recorded result from 2025");
    expect(priorMilestone("early_literacy", retained, 2)).toBeUndefined();
  });

  it("takes a repeated grade 9 year's course marks, and its year in progress as not yet known", () => {
    const ninth = career({ year: 2025, grade: 9 }, [{ courses_attempted: "6", courses_failed: "2" }, { grade: "9", courses_attempted: "6", courses_failed: "0" }, { grade: "9" }]);
    expect(milestoneOutcome("ninth_grade_success_repeat", ninth, LAST, 1).outcome).toBe("reached");
    expect(milestoneOutcome("ninth_grade_success_repeat", ninth, LAST, 2)).toEqual({ outcome: "unknown", reason: "not_reached_yet" });
  });
});

describe("follow-on milestones: graduating after the four-year deadline", () => {
  const years = (n: number, last: Partial<Record<string, string>> = {}) =>
    career({ year: 2019, grade: 9 }, Array.from({ length: n }, (_, k) => (k === n - 1 ? { grade: k >= 3 ? "12" : undefined, ...last } : k >= 3 ? { grade: "12" } : {})) as never);

  it("opens five-year graduation in the fifth high-school year and late graduation after it", () => {
    expect(openMilestones(years(5), 4)[0]).toBe("five_year_graduation");
    expect(openMilestones(years(6), 5)[0]).toBe("late_graduation");
    expect(openMilestones(years(7), 6)[0]).toBe("late_graduation");
  });

  it("is reached by graduating that year and missed by dropping out or staying on", () => {
    expect(milestoneOutcome("five_year_graduation", years(5, { exit_status: "graduated" }), LAST)).toEqual({ outcome: "reached", decidedYear: 2023, cohortYear: 2023 });
    expect(milestoneOutcome("five_year_graduation", years(5, { exit_status: "dropped_out" }), LAST)).toEqual({ outcome: "missed", decidedYear: 2023, cohortYear: 2023 });
    expect(milestoneOutcome("five_year_graduation", years(6), LAST)).toEqual({ outcome: "missed", decidedYear: 2023, cohortYear: 2023 });
    expect(milestoneOutcome("five_year_graduation", years(5, { exit_status: "transferred_out" }), LAST)).toEqual({ outcome: "unknown", reason: "transferred_out" });
    expect(milestoneOutcome("late_graduation", years(7, { exit_status: "graduated" }), LAST, 6)).toEqual({ outcome: "reached", decidedYear: 2025, cohortYear: 2025 });
    expect(milestoneOutcome("late_graduation", years(7, { exit_status: "graduated" }), LAST, 5)).toEqual({ outcome: "missed", decidedYear: 2024, cohortYear: 2024 });
  });

  it("says which deadline was missed", () => {
    const sixth = years(6);
    expect(priorMilestoneText("late_graduation", priorMilestone("late_graduation", sixth, 5)!)).toBe("past the five-year deadline: Graduating in a fifth year was missed in 2023");
    expect(priorMilestoneText("five_year_graduation", priorMilestone("five_year_graduation", sixth, 4)!)).toBe("past the four-year deadline: Graduating on time was missed in 2022");
  });
});

describe("postsecondary readiness and persistence", () => {
  const graduate = (cells: Record<string, string>) => [studentYear({ grade: "12", exit_status: "graduated", ...cells })];

  it("is reached only by a graduate who enrolled without a remedial course, or enrolled again a year on", () => {
    expect(milestoneOutcome("postsecondary_readiness", graduate({ postsecondary_enrolled: "1", postsecondary_remedial: "0" }), LAST)).toEqual({ outcome: "reached", decidedYear: 2020, cohortYear: 2020 });
    expect(milestoneOutcome("postsecondary_readiness", graduate({ postsecondary_enrolled: "1", postsecondary_remedial: "1" }), LAST).outcome).toBe("missed");
    expect(milestoneOutcome("postsecondary_readiness", graduate({ postsecondary_enrolled: "0" }), LAST).outcome).toBe("missed");
    // Persistence is known a year after enrolment: its cohort is a year later.
    expect(milestoneOutcome("postsecondary_persistence", graduate({ postsecondary_enrolled: "1", postsecondary_persisted: "1" }), LAST)).toEqual({ outcome: "reached", decidedYear: 2020, cohortYear: 2021 });
    expect(milestoneOutcome("postsecondary_persistence", graduate({ postsecondary_enrolled: "1", postsecondary_persisted: "0" }), LAST).outcome).toBe("missed");
    expect(milestoneOutcome("postsecondary_persistence", [studentYear({ grade: "11", exit_status: "dropped_out" })], LAST).outcome).toBe("missed");
  });

  it("is unknown where the graduate's row leaves it blank", () => {
    expect(milestoneOutcome("postsecondary_readiness", graduate({ postsecondary_enrolled: "1" }), LAST)).toEqual({ outcome: "unknown", reason: "no_remedial_record" });
    expect(milestoneOutcome("postsecondary_persistence", graduate({ postsecondary_enrolled: "1" }), LAST)).toEqual({ outcome: "unknown", reason: "no_persistence_record" });
    expect(milestoneOutcome("postsecondary_readiness", graduate({}), LAST)).toEqual({ outcome: "unknown", reason: "no_postsecondary_record" });
  });
});
