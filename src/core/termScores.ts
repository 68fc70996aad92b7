import { statusFlags } from "./contractColumns.ts";
import { computeIndicators, indicatorCount } from "./indicators.ts";
import { openMilestones, supersededMilestone, type Milestone } from "./milestones.ts";
import { priorMilestone, type PriorMilestone } from "./priorMilestone.ts";
import type { RiskModel } from "./riskModel.ts";
import { prepareModel, scoreIndicators, scoreRisk, type Driver, type ScoringModel } from "./riskScore.ts";
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
  /** For a follow-on milestone, what was already decided (the repeated grade, the missed deadline); null otherwise. */
  prior: PriorMilestone | null;
  /** The milestone whose model scored this one, when its own could not be trained; null when its own did. */
  scoredWith: Milestone | null;
}

const flagValue = (v: 0 | 1 | undefined): string => (v === undefined ? "unknown" : String(v));

/** The student's reporting subgroups as of the scored year; a blank is "unknown", its own group. */
export function subgroupsOf(row: StudentYear): Record<SubgroupDimension, string> {
  const groups = { race_ethnicity: row.race_ethnicity ?? "unknown", gender: row.gender ?? "unknown" } as Record<SubgroupDimension, string>;
  for (const name of statusFlags) groups[name] = flagValue(row[name]);
  return groups;
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
 * The model for a milestone and grade, or, for a follow-on milestone whose own model could not be
 * trained (too few students repeated the grade), the model of the milestone it follows: a risk
 * from the nearest population the state has, said as such on the score.
 */
function modelFor(byKey: ReadonlyMap<string, ScoringModel>, milestone: Milestone, grade: number): { milestone: Milestone; sm: ScoringModel } | undefined {
  for (let m: Milestone | undefined = milestone; m !== undefined; m = supersededMilestone(m)) {
    const sm = byKey.get(trainingSetKey(m, grade));
    if (sm) return { milestone: m, sm };
  }
  return undefined;
}

/**
 * Scores every student enrolled in `schoolYear` from their rows up to that year, once for each
 * milestone still open for them (`openMilestones`), and sorts the scores. Rows after the year are
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
  const scorer = new TermScorer(schoolYear, models);
  for (const history of histories) scorer.score(history, onScore);
  return scorer.summary();
}

/**
 * The models of a term, prepared once, scoring one student's history at a time and counting
 * who was enrolled, scored or not: for a caller that must stop between students (the term run
 * awaits its store between batches).
 */
export class TermScorer {
  private readonly byKey = new Map<string, ScoringModel>();
  private readonly indicators = new Float64Array(indicatorCount);
  private readonly notScored: Record<string, number> = {};
  private enrolled = 0;
  private scored = 0;

  /** `explain: false` leaves every score's drivers empty: a count of scores needs no reasons. */
  constructor(
    private readonly schoolYear: number,
    models: readonly RiskModel[],
    private readonly options: { explain?: boolean } = {},
  ) {
    for (const model of models) this.byKey.set(trainingSetKey(model.milestone, model.grade), prepareModel(model));
  }

  score({ rows }: StudentHistory, onScore: (score: StudentScore) => void): void {
    const { indicators, notScored } = this;
    const index = rows.findIndex((r) => r.school_year === this.schoolYear);
    if (index < 0) return;
    this.enrolled++;
    const row = rows[index];
    const open = openMilestones(rows, index);
    if (open.length === 0) {
      const why = row.grade === 0 ? "kindergarten" : `no open milestone in grade ${row.grade}`;
      notScored[why] = (notScored[why] ?? 0) + 1;
      return;
    }
    computeIndicators(rows, index, indicators);
    const subgroups = subgroupsOf(row);
    const values = indicators.slice();
    let any = false;
    for (const milestone of open) {
      const model = modelFor(this.byKey, milestone, row.grade);
      if (!model) {
        const why = `no ${milestone} model for grade ${row.grade}`;
        notScored[why] = (notScored[why] ?? 0) + 1;
        continue;
      }
      const { risk, tier, drivers } = this.options.explain === false ? scoreRisk(model.sm, indicators) : scoreIndicators(model.sm, indicators);
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
        prior: priorMilestone(milestone, rows, index) ?? null,
        scoredWith: model.milestone === milestone ? null : model.milestone,
      });
    }
    if (any) this.scored++;
  }

  summary(): TermSummary {
    return { schoolYear: this.schoolYear, studentsEnrolled: this.enrolled, studentsScored: this.scored, notScored: { ...this.notScored } };
  }
}
