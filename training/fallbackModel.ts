import {
  indicatorCount,
  logitOf,
  prepareModel,
  recalibrate,
  sigmoid,
  type RiskModel,
  type TrainingSet,
} from "../src/core/index.ts";
import { reachRate, subset, validationOf, type Examples, type Holdout, type TrainOptions, type TrainResult } from "./trainRiskModel.ts";

/**
 * The fallback for a follow-on milestone (a repeated grade, a fifth high-school year) whose own
 * rows are too few to fit a model: its base milestone's model for the grade, recalibrated on
 * those rows (`recalibrate`). The drivers stay the base model's, scaled by the slope, so the
 * reasons a counselor reads still add up to the risk. Validated like any model: recalibrated on
 * the earlier cohorts, measured on the latest.
 */

/** Fewer known examples, or fewer of either outcome, and not even two numbers can be fitted. */
const MIN_RECALIBRATION_EXAMPLES = 20;
const MIN_RECALIBRATION_PER_CLASS = 3;
/** Shrinks the shift towards 0 and the slope towards 1: the base model is the prior. */
const RECALIBRATION_L2 = 1;

/**
 * The latest cohort held out and the base model recalibrated on the earlier ones, with its risks
 * for the held-out students: how training validates a fallback, and how `ewis evaluate` judges it.
 */
export function recalibratedHoldout(set: TrainingSet, base: RiskModel, options: Pick<TrainOptions, "cutPoints">): Holdout | { skipped: string } {
  const cohorts = [...new Set(set.cohortYear)].sort((a, b) => a - b);
  if (tooFew(set) || cohorts.length < 2) {
    return { skipped: `too few to recalibrate ${base.milestone} either (${set.n} known examples in ${cohorts.length} cohorts; at least ${MIN_RECALIBRATION_EXAMPLES}, ${MIN_RECALIBRATION_PER_CLASS} of each outcome, in two cohorts are needed)` };
  }
  const validationCohort = cohorts[cohorts.length - 1];
  const earlier = subset(set, (year) => year < validationCohort);
  const heldOut = subset(set, (year) => year === validationCohort);
  if (tooFew(earlier)) return { skipped: `too few before the ${validationCohort} validation cohort to recalibrate ${base.milestone} (${earlier.n})` };
  const onEarlier = recalibrate(baseLogits(base, earlier), earlier.missed, RECALIBRATION_L2);
  const risks = baseLogits(base, heldOut).map((l) => sigmoid(onEarlier.shift + onEarlier.slope * l));
  return { validationCohort, earlier, heldOut, risks };
}

/** The example columns these two read: a training set and a subset of one alike. */
type ExampleColumns = Pick<Examples, "n" | "indicators" | "missed">;

function tooFew(e: ExampleColumns): boolean {
  let m = 0;
  for (let i = 0; i < e.n; i++) m += e.missed[i];
  return e.n < MIN_RECALIBRATION_EXAMPLES || m < MIN_RECALIBRATION_PER_CLASS || e.n - m < MIN_RECALIBRATION_PER_CLASS;
}

function baseLogits(base: RiskModel, e: ExampleColumns): Float64Array {
  const sm = prepareModel(base);
  return Float64Array.from({ length: e.n }, (_, i) => logitOf(sm, e.indicators, i * indicatorCount));
}

export function recalibratedModel(set: TrainingSet, base: RiskModel, options: TrainOptions, why: string): TrainResult {
  const holdout = recalibratedHoldout(set, base, options);
  if ("skipped" in holdout) return { skipped: `${why}; ${holdout.skipped}: scored with the ${base.milestone} model as it is` };
  const validation = validationOf(holdout, options.cutPoints);
  const cohorts = [...new Set(set.cohortYear)].sort((a, b) => a - b);
  const fit = recalibrate(baseLogits(base, set), set.missed, RECALIBRATION_L2);
  const model: RiskModel = {
    ...base,
    ewisVersion: options.ewisVersion,
    milestone: set.milestone,
    grade: set.grade,
    intercept: { coefficient: fit.shift + fit.slope * base.intercept.coefficient, stdErr: Math.abs(fit.slope) * base.intercept.stdErr },
    features: base.features.map((f) => ({ ...f, coefficient: fit.slope * f.coefficient, stdErr: Math.abs(fit.slope) * f.stdErr })),
    cutPoints: [options.cutPoints[0], options.cutPoints[1]],
    fit: { iterations: fit.iterations, converged: fit.converged, logLikelihood: fit.logLikelihood },
    training: {
      examples: set.n,
      reachRate: reachRate(set.missed),
      cohorts,
      unknownOutcomes: Object.values(set.unknownByReason).reduce((a, b) => a + (b ?? 0), 0),
      unknownByReason: set.unknownByReason as Record<string, number>,
    },
    validation,
    data: options.data,
    recalibratedFrom: { milestone: base.milestone, grade: base.grade, shift: fit.shift, slope: fit.slope, examples: set.n, why },
  };
  return { model };
}
