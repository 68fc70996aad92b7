import { describe, expect, it } from "vitest";
import {
  historiesOf,
  indicatorNames,
  openMilestones,
  priorMilestoneText,
  scoreStudents,
  scoreTerm,
  type RiskModel,
  type StudentScore,
  type StudentYear,
} from "../../src/core/index.ts";
import { loadModels } from "../../src/io/modelFiles.ts";
import { riskListColumns, riskListLine } from "../../src/io/scoresFile.ts";
import { syntheticStudents } from "../../fixtures/synthetic/generate.ts";
import { career } from "../support/studentRows.ts";

/**
 * Students whose band milestone is already behind them, scored with the shipped models
 * (`models/`, trained on the default synthetic state): a child held back in grade 3, 6 or 9, a
 * fifth- and a sixth-year senior. Each gets the follow-on milestone, the words a counselor reads
 * on the list, and drivers that come from their own indicators.
 */

const models: RiskModel[] = await loadModels("models");

const fullYear = { days_enrolled: "180", days_present: "150", birth_date: "2010-03-01" };
const students: Record<string, StudentYear[]> = {
  retained3: career({ year: 2024, grade: 1 }, [fullYear, { ...fullYear, ela_scaled: "455" }, { ...fullYear, ela_scaled: "462" }, fullYear].map((r, k) => ({ ...r, ...(k === 3 ? { grade: "3" } : {}) }))),
  retained6: career({ year: 2024, grade: 4 }, [
    { ...fullYear, ela_scaled: "470", math_scaled: "468" },
    { ...fullYear, ela_scaled: "475", math_scaled: "471" },
    { ...fullYear, ela_scaled: "478", math_scaled: "466", courses_attempted: "6", courses_failed: "2" },
    { ...fullYear, grade: "6" },
  ]),
  retained9: career({ year: 2024, grade: 7 }, [
    { ...fullYear, ela_scaled: "490", math_scaled: "485", courses_attempted: "7", courses_failed: "1" },
    { ...fullYear, ela_scaled: "488", math_scaled: "480", courses_attempted: "7", courses_failed: "1" },
    { ...fullYear, courses_attempted: "7", courses_failed: "3" },
    { ...fullYear, grade: "9" },
  ]),
  fifthYear: career({ year: 2023, grade: 9 }, [
    { ...fullYear, courses_attempted: "7", courses_failed: "2" },
    { ...fullYear, ela_scaled: "492", math_scaled: "481", courses_attempted: "7", courses_failed: "1" },
    { ...fullYear, courses_attempted: "6", courses_failed: "1" },
    { ...fullYear, courses_attempted: "6", courses_failed: "2" },
    { ...fullYear, grade: "12" },
  ]),
  sixthYear: career({ year: 2022, grade: 9 }, [
    { ...fullYear, courses_attempted: "7", courses_failed: "3" },
    { ...fullYear, courses_attempted: "7", courses_failed: "2" },
    { ...fullYear, courses_attempted: "6", courses_failed: "1" },
    { ...fullYear, courses_attempted: "6", courses_failed: "2" },
    { ...fullYear, grade: "12", courses_attempted: "6", courses_failed: "2" },
    { ...fullYear, grade: "12" },
  ]),
};
// One id per student, every row in the scored year 2027.
const histories = Object.entries(students).map(([id, rows]) => rows.map((r) => ({ ...r, student_id: id })));

function scoresOf(rows: readonly StudentYear[][]): StudentScore[] {
  return scoreTerm(historiesOf(rows.flat()).histories(), 2027, models).scores;
}

const scores = scoresOf(histories);
const of = (id: string) => scores.filter((s) => s.student_id === id);

describe("students whose band milestone is already behind them", () => {
  it("are each scored for what is still open for them, not left off the list", () => {
    expect(of("retained3").map((s) => s.milestone)).toEqual(["early_literacy_repeat"]);
    expect(of("retained6").map((s) => s.milestone)).toEqual(["middle_readiness_repeat"]);
    expect(of("retained9").map((s) => s.milestone)).toEqual(["ninth_grade_success_repeat"]);
    expect(of("fifthYear").map((s) => s.milestone)).toEqual(["five_year_graduation", "postsecondary_enrollment", "postsecondary_persistence", "postsecondary_readiness"]);
    expect(of("sixthYear").map((s) => s.milestone)).toEqual(["late_graduation", "postsecondary_enrollment", "postsecondary_persistence", "postsecondary_readiness"]);
    for (const s of scores) {
      expect(s.risk).toBeGreaterThan(0);
      expect(s.risk).toBeLessThan(1);
    }
  });

  it("say what was already decided and when, in the words the list and the export show", () => {
    const words = (id: string) => {
      const s = of(id)[0];
      return s.prior ? priorMilestoneText(s.milestone, s.prior) : undefined;
    };
    expect(words("retained3")).toBe("grade 3 repeated: Reading by grade 3 was missed in 2026");
    expect(words("retained6")).toBe("grade 6 repeated: ELA and math by grade 6 was missed in 2026");
    expect(words("retained9")).toBe("grade 9 repeated: Passing every grade 9 course was missed in 2026");
    expect(words("fifthYear")).toBe("past the four-year deadline: Graduating on time was missed in 2026");
    expect(words("sixthYear")).toBe("past the five-year deadline: Graduating in a fifth year was missed in 2026");
    // The first-time college milestones of a fifth-year senior carry nothing already decided.
    expect(of("fifthYear").filter((s) => s.milestone.startsWith("postsecondary")).every((s) => s.prior === null)).toBe(true);
    const line = riskListLine("fall", { ...of("retained9")[0], drivers: "", previous_tier: null, change: "new" }, undefined);
    const cells = line.split(",");
    expect(cells[riskListColumns.indexOf("already_decided")]).toBe("grade 9 repeated: Passing every grade 9 course was missed in 2026");
  });

  it("have drivers from their own indicators, strongest first", () => {
    for (const s of scores) {
      for (const d of s.drivers) {
        expect(indicatorNames).toContain(d.indicator);
        expect(d.contribution).toBeGreaterThan(0);
        const own = s.indicators[indicatorNames.indexOf(d.indicator)];
        if (Number.isNaN(own)) expect(d.value).toBeNaN();
        else expect(d.value).toBe(own);
      }
      const c = s.drivers.map((d) => d.contribution);
      expect(c).toEqual([...c].sort((a, b) => b - a));
    }
    // Each is a student with a reason to worry: 83 % attendance, low scores, failures, a repeated grade.
    const attendance = of("retained3")[0].drivers.find((d) => d.indicator === "attendance_rate");
    expect(attendance?.value).toBeCloseTo(150 / 180, 12);
    expect(of("retained9")[0].drivers.length).toBeGreaterThan(0);
    expect(of("sixthYear")[0].tier).not.toBe("low");
  });

  it("are scored by their own model, or say which model scored them when a state had too few to fit one", () => {
    for (const s of scores) {
      const own = models.some((m) => m.milestone === s.milestone && m.grade === s.grade);
      expect(s.scoredWith === null).toBe(own);
    }
  });

  it("get the same scores when the scored year's outcomes are blanked or filled: no score reads its own outcome", () => {
    const outcomeColumns = (row: StudentYear, filled: boolean): StudentYear => ({
      ...row,
      ela_scaled: filled ? 560 : undefined,
      math_scaled: filled ? 440 : undefined,
      courses_attempted: filled ? 8 : undefined,
      courses_failed: filled ? 8 : undefined,
      exit_status: filled ? "graduated" : "enrolled",
      postsecondary_enrolled: filled ? 1 : undefined,
      postsecondary_remedial: filled ? 1 : undefined,
      postsecondary_persisted: filled ? 0 : undefined,
    });
    const withLast = (filled: boolean) => histories.map((rows) => rows.map((r, k) => (k === rows.length - 1 ? outcomeColumns(r, filled) : r)));
    const comparable = (list: StudentScore[]) => list.map(({ indicators: _, ...s }) => s);
    expect(comparable(scoresOf(withLast(true)))).toEqual(comparable(scoresOf(withLast(false))));
    expect(comparable(scoresOf(withLast(false)))).toEqual(comparable(scores));
  });

  it("leave only kindergarten without an open milestone", () => {
    const k = career({ year: 2027, grade: 0 }, [{}]);
    expect(openMilestones(k, 0)).toEqual([]);
    for (let grade = 1; grade <= 12; grade++) expect(openMilestones(career({ year: 2027, grade }, [{}]), 0).length).toBeGreaterThan(0);
  });
});

describe("every enrolled student in grades 1–12 has a risk", () => {
  // The default state (the one `models/` was trained on) and a second seed the models never saw.
  for (const { students, seed } of [{ students: 40_000, seed: 1 }, { students: 40_000, seed: 2 }]) {
    it(`on the synthetic state of ${students} students, seed ${seed}, scored for 2027`, () => {
      const histories = [...syntheticStudents({ students, seed })].map((rows) => ({ studentId: rows[0].student_id, rows }));
      const scoredStudents = new Set<string>();
      const milestonesSeen = new Set<string>();
      const summary = scoreStudents(histories, 2027, models, (s) => {
        scoredStudents.add(s.student_id);
        milestonesSeen.add(s.milestone);
      });
      const enrolled = histories.flatMap(({ studentId, rows }) => rows.filter((r) => r.school_year === 2027 && r.grade > 0).map(() => studentId));
      expect(enrolled.length).toBeGreaterThan(students / 3);
      for (const id of enrolled) expect(scoredStudents.has(id), id).toBe(true);
      expect(summary.studentsScored).toBe(enrolled.length);
      expect(Object.keys(summary.notScored)).toEqual(["kindergarten"]);
      // The follow-on and college milestones are among what was scored.
      for (const m of ["early_literacy_repeat", "ninth_grade_success_repeat", "five_year_graduation", "postsecondary_readiness", "postsecondary_persistence"]) {
        expect(milestonesSeen).toContain(m);
      }
    });
  }
});
