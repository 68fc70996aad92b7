import type { CalibrationBin } from "../metrics.ts";
import type { TierReach } from "../riskTier.ts";

/**
 * The figures `ewis evaluate` produces, as JSON and as the HTML report. One shape, shared by
 * the metrics that fill it and the report that draws it.
 */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** A point of a confusion matrix: how a yes/no flag (a cut-point or a rule) does on the held-out cohort. */
export interface FlagPerformance {
  /** Share of students who missed that the flag catches (= sensitivity, = recall, = TPR). */
  recall: number;
  /** Share of students who reached that the flag leaves alone (= 1 − FPR). */
  specificity: number;
  /** Share of flagged students who did miss (= positive predictive value). */
  precision: number;
  falsePositiveRate: number;
  falseNegativeRate: number;
  flaggedShare: number;
  flagged: number;
  n: number;
}

export interface CutPointPerformance extends FlagPerformance {
  tier: "moderate" | "high";
  /** Students with risk ≥ this cut-point are flagged. */
  cut: number;
}

export interface BaselinePerformance extends FlagPerformance {
  name: string;
  description: string;
}

export interface Disparity {
  metric: "auc" | "calibrationInTheLarge" | "falsePositiveRate" | "falseNegativeRate" | "precision" | "flaggedShare";
  group: number | null;
  rest: number | null;
  difference: number | null;
  /** |difference| above the tolerance for this metric. */
  exceeds: boolean;
}

export interface SubgroupEvaluation {
  dimension: string;
  value: string;
  n: number;
  missed: number;
  /** Too few students (or of either outcome) to judge: metrics are null and no disparity is flagged. */
  tooSmall: boolean;
  auc: number | null;
  /** Mean predicted risk minus the observed miss rate: positive = the model over-predicts risk for this group. */
  calibrationInTheLarge: number | null;
  highTier: FlagPerformance | null;
  disparities: Disparity[];
}

export interface ModelEvaluation {
  milestone: string;
  grade: number;
  /** The held-out cohort: the most recent one whose outcomes are known. */
  cohort: number;
  trainedOn: number;
  n: number;
  missRate: number;
  auc: Interval;
  brier: number;
  roc: { falsePositiveRate: number[]; truePositiveRate: number[] };
  cutPoints: CutPointPerformance[];
  calibration: CalibrationBin[];
  tiers: TierReach[];
  baselines: BaselinePerformance[];
  /** Where a baseline's point lies above the model's ROC curve, said plainly. */
  baselineVerdicts: string[];
  equity: SubgroupEvaluation[];
  /** The same model refitted with race/ethnicity and gender as inputs, on the same cohorts. */
  withDemographics: { auc: number; brier: number; equity: SubgroupEvaluation[] } | null;
}

export interface EvaluationReport {
  ewisVersion: string;
  history: { file: string; sha256: string };
  tolerances: Record<Disparity["metric"], number>;
  minGroupSize: number;
  bootstrap: { replicates: number; seed: number };
  models: ModelEvaluation[];
}
