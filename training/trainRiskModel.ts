import {
  applyScaling,
  auc,
  brierScore,
  buildDesign,
  calibrationByDecile,
  EwisError,
  fitLogistic,
  indicatorCount,
  logLoss,
  logitOf,
  planFeatures,
  prepareModel,
  reachByTier,
  RISK_MODEL_SCHEMA_VERSION,
  sigmoid,
  standardize,
  type CutPoints,
  type RiskModel,
  type TrainingSet,
} from "../src/core/index.ts";

export interface TrainOptions {
  l2: number;
  cutPoints: CutPoints;
  ewisVersion: string;
  data: { sha256: string; rows: number };
}

/** Fewer known examples, or fewer of either outcome, and a model would be noise: it is skipped. */
const MIN_EXAMPLES = 200;
const MIN_PER_CLASS = 20;

export type TrainResult = { model: RiskModel } | { skipped: string };

/**
 * Holds out the most recent cohort with known outcomes for validation, fits on the earlier
 * ones, measures the held-out cohort, then refits on every known cohort for the shipped model.
 */
export function trainRiskModel(set: TrainingSet, options: TrainOptions): TrainResult {
  try {
    return validateAndFit(set, options);
  } catch (error) {
    // One model that cannot be fitted (separation without a penalty, say) is skipped with the
    // fit's own explanation; the other milestones still train.
    if (error instanceof EwisError && fitFailures.has(error.code)) return { skipped: `the fit failed: ${error.message}` };
    throw error;
  }
}

const fitFailures = new Set(["separation", "singular", "not_converged", "insufficient_data"]);

/** The most recent cohort held out, a model fitted on the earlier ones, and its risks for the held-out students. */
export interface Holdout {
  validationCohort: number;
  earlier: Examples;
  heldOut: Examples;
  risks: Float64Array;
}

export function fitHoldout(set: TrainingSet, options: TrainOptions): Holdout | { skipped: string } {
  const why = tooLittle(set.missed, set.n, "known outcomes");
  if (why) return { skipped: why };
  const cohorts = [...new Set(set.cohortYear)].sort((a, b) => a - b);
  if (cohorts.length < 2) return { skipped: `only one cohort (${cohorts[0]}) has known outcomes, so none can be held out for validation` };
  const validationCohort = cohorts[cohorts.length - 1];
  const heldOut = subset(set, (year) => year === validationCohort);
  const earlier = subset(set, (year) => year < validationCohort);
  const earlierWhy = tooLittle(earlier.missed, earlier.n, `known outcomes before the ${validationCohort} validation cohort`);
  if (earlierWhy) return { skipped: earlierWhy };
  const sm = prepareModel(fitModel(earlier, set, options));
  const risks = new Float64Array(heldOut.n);
  for (let i = 0; i < heldOut.n; i++) risks[i] = sigmoid(logitOf(sm, heldOut.indicators, i * indicatorCount));
  return { validationCohort, earlier, heldOut, risks };
}

function validateAndFit(set: TrainingSet, options: TrainOptions): TrainResult {
  const holdout = fitHoldout(set, options);
  if ("skipped" in holdout) return holdout;
  const validation = validationOf(holdout, options.cutPoints);
  return { model: { ...fitModel(set, set, options), validation } };
}

/** The held-out cohort's figures for the model file: discrimination, calibration, tier reach. */
export function validationOf(holdout: Pick<Holdout, "validationCohort" | "earlier" | "heldOut" | "risks">, cutPoints: CutPoints): RiskModel["validation"] {
  const { validationCohort, earlier, heldOut, risks } = holdout;
  const bothOutcomes = heldOut.missed.some((m) => m === 1) && heldOut.missed.some((m) => m === 0);
  return {
    cohort: validationCohort,
    trainedOn: earlier.n,
    examples: heldOut.n,
    reachRate: reachRate(heldOut.missed),
    auc: bothOutcomes ? auc(risks, heldOut.missed) : null,
    brier: brierScore(risks, heldOut.missed),
    logLoss: logLoss(risks, heldOut.missed),
    calibration: calibrationByDecile(risks, heldOut.missed),
    tiers: reachByTier(risks, heldOut.missed, cutPoints).map((t) => ({
      ...t,
      observedReachRate: Number.isNaN(t.observedReachRate) ? null : t.observedReachRate,
    })),
  };
}

export interface Examples {
  n: number;
  indicators: Float64Array;
  missed: Uint8Array;
  cohortYear: Int32Array;
  /** Each example's index in the training set it came from. */
  source: Int32Array;
}

export function subset(set: TrainingSet, keep: (year: number) => boolean): Examples {
  const picked: number[] = [];
  for (let i = 0; i < set.n; i++) if (keep(set.cohortYear[i])) picked.push(i);
  const indicators = new Float64Array(picked.length * indicatorCount);
  const missed = new Uint8Array(picked.length);
  const cohortYear = new Int32Array(picked.length);
  const source = Int32Array.from(picked);
  picked.forEach((i, k) => {
    indicators.set(set.indicators.subarray(i * indicatorCount, (i + 1) * indicatorCount), k * indicatorCount);
    missed[k] = set.missed[i];
    cohortYear[k] = set.cohortYear[i];
  });
  return { n: picked.length, indicators, missed, cohortYear, source };
}

function tooLittle(missed: Uint8Array, n: number, what: string): string | undefined {
  let m = 0;
  for (let i = 0; i < n; i++) m += missed[i];
  if (n < MIN_EXAMPLES) return `${n} ${what}; at least ${MIN_EXAMPLES} are needed`;
  if (m < MIN_PER_CLASS || n - m < MIN_PER_CLASS) {
    return `${n - m} reached and ${m} missed among ${what}; at least ${MIN_PER_CLASS} of each are needed`;
  }
  return undefined;
}

export function reachRate(missed: Uint8Array): number {
  let m = 0;
  for (const v of missed) m += v;
  return missed.length === 0 ? NaN : 1 - m / missed.length;
}

function fitModel(examples: Omit<Examples, "source">, set: TrainingSet, options: TrainOptions): Omit<RiskModel, "validation"> {
  const plan = planFeatures(examples.indicators, examples.n);
  const p = plan.columns.length;
  const x = buildDesign(plan, examples.indicators, examples.n);
  const { means, sds } = standardize(x, examples.n, p);
  const fit = fitLogistic({
    x: applyScaling(x, examples.n, p, means, sds),
    y: examples.missed,
    n: examples.n,
    p,
    l2: options.l2,
    featureNames: plan.columns.map((c) => c.name),
  });
  return {
    schemaVersion: RISK_MODEL_SCHEMA_VERSION,
    ewisVersion: options.ewisVersion,
    milestone: set.milestone,
    grade: set.grade,
    target: "missed",
    intercept: { coefficient: fit.coef[0], stdErr: fit.stdErr[0] },
    features: plan.columns.map((column, j) => ({
      ...column,
      mean: means[j],
      sd: sds[j],
      coefficient: fit.coef[j + 1],
      stdErr: fit.stdErr[j + 1],
    })),
    fill: plan.fill,
    cutPoints: [options.cutPoints[0], options.cutPoints[1]],
    penalty: { l2: options.l2, on: "standardized features, intercept not penalised" },
    fit: { iterations: fit.iterations, converged: fit.converged, logLikelihood: fit.logLikelihood },
    training: {
      examples: examples.n,
      reachRate: reachRate(examples.missed),
      cohorts: [...new Set(examples.cohortYear)].sort((a, b) => a - b),
      unknownOutcomes: Object.values(set.unknownByReason).reduce((a, b) => a + (b ?? 0), 0),
      unknownByReason: set.unknownByReason as Record<string, number>,
    },
    data: options.data,
  };
}
