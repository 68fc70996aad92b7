import {
  ABC_DESCRIPTION,
  abcFlag,
  bootstrapAuc,
  brierScore,
  buildTrainingSets,
  calibrationByDecile,
  cutPointPerformance,
  DEFAULT_MIN_GROUP_SIZE,
  DEFAULT_TOLERANCES,
  flagPerformance,
  FRESHMAN_ON_TRACK_DESCRIPTION,
  freshmanOffTrack,
  reachByTier,
  rocCurve,
  subgroupDimensions,
  subgroupEvaluation,
  subgroupsOf,
  tprAtFpr,
  trainingSetKey,
  type BaselinePerformance,
  type EvaluationReport,
  type ModelEvaluation,
  type RiskModel,
  type HistorySource,
  type StudentYear,
  type TrainingSet,
} from "../src/core/index.ts";
import { fitWithDemographics } from "./demographicOptIn.ts";
import { recalibratedHoldout } from "./fallbackModel.ts";
import { fitHoldout, type Examples } from "./trainRiskModel.ts";

export interface EvaluateOptions {
  ewisVersion: string;
  history: { file: string; sha256: string };
  replicates: number;
  seed: number;
  minGroupSize?: number;
  tolerances?: EvaluationReport["tolerances"];
}

/**
 * Every shipped model judged on the most recent cohort whose outcome is known, split by year.
 * The shipped model was refitted on that cohort too, so each is refitted here on the earlier
 * cohorts with the model file's penalty and cut-points, exactly as training validated it.
 */
export function evaluateModels(source: HistorySource, models: readonly RiskModel[], options: EvaluateOptions): { report: EvaluationReport; skipped: string[] } {
  const sets = buildTrainingSets(source.histories(), source.lastYear);
  const tolerances = options.tolerances ?? DEFAULT_TOLERANCES;
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const evaluations: ModelEvaluation[] = [];
  const skipped: string[] = [];
  for (const model of models) {
    const set = sets.get(trainingSetKey(model.milestone, model.grade));
    const holdout = set && holdoutFor(model, set, models, options);
    if (!set || !holdout || "skipped" in holdout) {
      skipped.push(`${model.milestone} grade ${model.grade}: ${holdout && "skipped" in holdout ? holdout.skipped : "no examples in this history"}`);
      continue;
    }
    evaluations.push(evaluateOne(model, set, source, holdout, { ...options, tolerances, minGroupSize }));
  }
  return {
    report: {
      ewisVersion: options.ewisVersion,
      history: options.history,
      tolerances,
      minGroupSize,
      bootstrap: { replicates: options.replicates, seed: options.seed },
      models: evaluations,
    },
    skipped,
  };
}

/** A fitted model is refitted on the earlier cohorts; a recalibrated one is recalibrated on them from its base, as training did. */
function holdoutFor(model: RiskModel, set: TrainingSet, models: readonly RiskModel[], options: EvaluateOptions): ReturnType<typeof fitHoldout> | undefined {
  const from = model.recalibratedFrom;
  if (!from) return fitHoldout(set, { l2: model.penalty.l2, cutPoints: model.cutPoints, ewisVersion: options.ewisVersion, data: model.data });
  const base = models.find((m) => m.milestone === from.milestone && m.grade === from.grade);
  return base ? recalibratedHoldout(set, base, { cutPoints: model.cutPoints }) : { skipped: `its base model ${from.milestone} grade ${from.grade} is not in the model directory` };
}

function rowsOf(examples: Examples, set: TrainingSet, source: HistorySource) {
  return Array.from(examples.source, (k) => ({ rows: source.history(set.student[k]).rows, index: set.row[k] }));
}

function evaluateOne(
  model: RiskModel,
  set: TrainingSet,
  source: HistorySource,
  holdout: Exclude<ReturnType<typeof fitHoldout>, { skipped: string }>,
  options: EvaluateOptions & { tolerances: EvaluationReport["tolerances"]; minGroupSize: number },
): ModelEvaluation {
  const { heldOut, earlier, risks, validationCohort } = holdout;
  const missed = heldOut.missed;
  const students = rowsOf(heldOut, set, source);
  const roc = rocCurve(risks, missed);
  const baselines = baselinesFor(model, students, missed);
  const subgroups = students.map(({ rows, index }) => subgroupsOf(rows[index]));
  const groups = subgroupDimensions.map((dimension) => ({ dimension, values: subgroups.map((s) => s[dimension]) }));
  const equityOptions = { highCut: model.cutPoints[1], minGroupSize: options.minGroupSize, tolerances: options.tolerances };

  const earlierSubgroups = rowsOf(earlier, set, source).map(({ rows, index }) => subgroupsOf(rows[index]));
  const demo = fitWithDemographics(
    earlier,
    { race: earlierSubgroups.map((s) => s.race_ethnicity), gender: earlierSubgroups.map((s) => s.gender) },
    heldOut,
    { race: subgroups.map((s) => s.race_ethnicity), gender: subgroups.map((s) => s.gender) },
    model.penalty.l2,
  );

  return {
    milestone: model.milestone,
    grade: model.grade,
    cohort: validationCohort,
    trainedOn: earlier.n,
    n: heldOut.n,
    missRate: missed.reduce((a, b) => a + b, 0) / heldOut.n,
    auc: bootstrapAuc(risks, missed, { replicates: options.replicates, seed: options.seed }),
    brier: brierScore(risks, missed),
    roc,
    cutPoints: cutPointPerformance(risks, missed, model.cutPoints),
    calibration: calibrationByDecile(risks, missed),
    tiers: reachByTier(risks, missed, model.cutPoints),
    baselines: baselines.map(({ judged: _, ...b }) => b),
    baselineVerdicts: baselines.flatMap((b) => {
      // On the students the rule could judge, and the full-resolution curve: the chart's is thinned.
      const curve = rocCurve(Array.from(b.judged, (i) => risks[i]), Array.from(b.judged, (i) => missed[i]), Number.MAX_SAFE_INTEGER);
      const modelRecall = tprAtFpr(curve, b.falsePositiveRate);
      return b.recall > modelRecall + 0.005
        ? [
            `${b.name} catches ${pct(b.recall)} of the students who missed at a false-positive rate of ${pct(b.falsePositiveRate)}; ` +
              `on the same students the model catches ${pct(modelRecall)} at that rate, so here the rule is better.`,
          ]
        : [];
    }),
    equity: subgroupEvaluation(risks, missed, groups, equityOptions),
    withDemographics: { auc: demo.auc, brier: demo.brier, equity: subgroupEvaluation(demo.risks, missed, groups, equityOptions) },
  };
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/** The rule-based flags states use without a model, on the same held-out students; `judged` are those a rule could judge. */
function baselinesFor(model: RiskModel, students: { rows: readonly StudentYear[]; index: number }[], missed: Uint8Array): (BaselinePerformance & { judged: number[] })[] {
  const everyone = students.map((_, i) => i);
  const baselines: (BaselinePerformance & { judged: number[] })[] = [
    { name: "ABC flag", description: ABC_DESCRIPTION, judged: everyone, ...flagPerformance(students.map((s) => abcFlag(s.rows, s.index)), missed) },
  ];
  const offTrack = students.map((s) => freshmanOffTrack(s.rows, s.index));
  const judged = offTrack.flatMap((flag, i) => (flag === undefined ? [] : [i]));
  // The on-track indicator exists only after a grade 9 year: it is placed where most students have one.
  if (model.grade >= 10 && judged.length >= students.length / 2) {
    baselines.push({
      name: "Freshman on-track",
      description: `${FRESHMAN_ON_TRACK_DESCRIPTION} Judged for ${judged.length} of ${students.length} held-out students; its verdict compares the model on those students.`,
      judged,
      ...flagPerformance(
        judged.map((i) => offTrack[i] as boolean),
        Uint8Array.from(judged, (i) => missed[i]),
      ),
    });
  }
  return baselines;
}
