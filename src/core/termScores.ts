import { computeIndicators, indicatorCount } from "./indicators.ts";
import { milestoneSettled, milestonesForGrade, type Milestone } from "./milestones.ts";
import type { RiskModel } from "./riskModel.ts";
import { prepareModel, scoreIndicators, type Driver, type ScoringModel } from "./riskScore.ts";
import type { RiskTier } from "./riskTier.ts";
import type { SubgroupDimension } from "./rollup.ts";
import type { StudentHistory } from "./studentHistory.ts";
import type { StudentYear } from "./studentYear.ts";
import { trainingSetKey } from "./trainingSet.ts";

export interface StudentScore {
  student_id: string;
  school_year: number;
  district_id: string;
  school_id: string;
  grade: number;
  milestone: Milestone;
  risk: number;
  tier: RiskTier;
  drivers: Driver[];
  subgroups: Record<SubgroupDimension, string>;
  /** The indicator values behind the score (NaN = missing), shared by the student's milestones. */
  indicators: Float64Array;
}

const flagValue = (v: 0 | 1 | undefined): string => (v === undefined ? "unknown" : String(v));

/** The student's reporting subgroups as of the scored year; a blank is "unknown", its own group. */
export function subgroupsOf(row: StudentYear): Record<SubgroupDimension, string> {
  return {
    low_income: flagValue(row.low_income),
    ell: flagValue(row.ell),
    former_ell: flagValue(row.former_ell),
    sped: flagValue(row.sped),
    homeless: flagValue(row.homeless),
    foster_care: flagValue(row.foster_care),
    race_ethnicity: row.race_ethnicity ?? "unknown",
    gender: row.gender ?? "unknown",
  };
}

export interface TermScores {
  schoolYear: number;
  scores: StudentScore[];
  studentsEnrolled: number;
  studentsScored: number;
  /** Students enrolled in the year but not scored, by why: kindergarten, or no model for the grade. */
  notScored: Record<string, number>;
}

/** What a term's scoring counted, without the scores. */
export type TermSummary = Omit<TermScores, "scores">;

/**
 * Scores every student enrolled in `schoolYear` from their rows up to that year, once for each
 * milestone whose band holds their grade, and sorts the scores. Rows after the year are
 * ignored, so a history file that runs on can be scored for any past term.
 */
export function scoreTerm(histories: Iterable<StudentHistory>, schoolYear: number, models: readonly RiskModel[]): TermScores {
  const scores: StudentScore[] = [];
  const summary = scoreStudents(histories, schoolYear, models, (score) => scores.push(score));
  // Code-unit order, not locale order: the same file on every machine.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  scores.sort(
    (a, b) =>
      byText(a.district_id, b.district_id) || byText(a.school_id, b.school_id) || byText(a.student_id, b.student_id) || byText(a.milestone, b.milestone),
  );
  return { ...summary, scores };
}

/**
 * `scoreTerm` one score at a time, in the histories' order, handing each to `onScore`: a state's
 * term run publishes and rolls up its scores as they come instead of holding a million of them.
 */
export function scoreStudents(
  histories: Iterable<StudentHistory>,
  schoolYear: number,
  models: readonly RiskModel[],
  onScore: (score: StudentScore) => void,
): TermSummary {
  const byKey = new Map<string, ScoringModel>();
  for (const model of models) byKey.set(trainingSetKey(model.milestone, model.grade), prepareModel(model));
  const indicators = new Float64Array(indicatorCount);
  const notScored: Record<string, number> = {};
  let enrolled = 0;
  let scored = 0;
  for (const { rows } of histories) {
    const index = rows.findIndex((r) => r.school_year === schoolYear);
    if (index < 0) continue;
    enrolled++;
    const row = rows[index];
    const due = milestonesForGrade(row.grade);
    if (due.length === 0) {
      notScored.kindergarten = (notScored.kindergarten ?? 0) + 1;
      continue;
    }
    computeIndicators(rows, index, indicators);
    const subgroups = subgroupsOf(row);
    const values = indicators.slice();
    let any = false;
    for (const milestone of due) {
      if (milestoneSettled(milestone, rows, index)) {
        const why = `${milestone} already settled`;
        notScored[why] = (notScored[why] ?? 0) + 1;
        continue;
      }
      const sm = byKey.get(trainingSetKey(milestone, row.grade));
      if (!sm) {
        const why = `no ${milestone} model for grade ${row.grade}`;
        notScored[why] = (notScored[why] ?? 0) + 1;
        continue;
      }
      const { risk, tier, drivers } = scoreIndicators(sm, indicators);
      any = true;
      onScore({
        student_id: row.student_id,
        school_year: row.school_year,
        district_id: row.district_id,
        school_id: row.school_id,
        grade: row.grade,
        milestone,
        risk,
        tier,
        drivers,
        subgroups,
        indicators: values,
      });
    }
    if (any) scored++;
  }
  return { schoolYear, studentsEnrolled: enrolled, studentsScored: scored, notScored };
}
