import { computeIndicators, indicatorCount } from "./indicators.ts";
import { milestonesForGrade, type Milestone } from "./milestones.ts";
import type { RiskModel } from "./riskModel.ts";
import { prepareModel, scoreIndicators, type Driver, type ScoringModel } from "./riskScore.ts";
import type { RiskTier } from "./riskTier.ts";
import type { StudentHistory } from "./studentHistory.ts";
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
}

export interface TermScores {
  schoolYear: number;
  scores: StudentScore[];
  studentsEnrolled: number;
  studentsScored: number;
  /** Students enrolled in the year but not scored, by why: kindergarten, or no model for the grade. */
  notScored: Record<string, number>;
}

/**
 * Scores every student enrolled in `schoolYear` from their rows up to that year, once for each
 * milestone whose band holds their grade. Rows after the year are ignored, so a history file
 * that runs on can be scored for any past term.
 */
export function scoreTerm(histories: readonly StudentHistory[], schoolYear: number, models: readonly RiskModel[]): TermScores {
  const byKey = new Map<string, ScoringModel>();
  for (const model of models) byKey.set(trainingSetKey(model.milestone, model.grade), prepareModel(model));
  const indicators = new Float64Array(indicatorCount);
  const scores: StudentScore[] = [];
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
    let any = false;
    for (const milestone of due) {
      const sm = byKey.get(trainingSetKey(milestone, row.grade));
      if (!sm) {
        const why = `no ${milestone} model for grade ${row.grade}`;
        notScored[why] = (notScored[why] ?? 0) + 1;
        continue;
      }
      const { risk, tier, drivers } = scoreIndicators(sm, indicators);
      any = true;
      scores.push({
        student_id: row.student_id,
        school_year: row.school_year,
        district_id: row.district_id,
        school_id: row.school_id,
        grade: row.grade,
        milestone,
        risk,
        tier,
        drivers,
      });
    }
    if (any) scored++;
  }
  scores.sort(
    (a, b) =>
      a.district_id.localeCompare(b.district_id) ||
      a.school_id.localeCompare(b.school_id) ||
      a.student_id.localeCompare(b.student_id) ||
      a.milestone.localeCompare(b.milestone),
  );
  return { schoolYear, scores, studentsEnrolled: enrolled, studentsScored: scored, notScored };
}
