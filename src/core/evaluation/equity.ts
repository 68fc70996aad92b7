/**
 * How the model does for each subgroup (race/ethnicity, gender, low income, …) compared with
 * everyone else. For each dimension and each value present, in the order the dimensions are
 * given and then by value (code-point order):
 *   n, missed                 the group's size and how many of it missed;
 *   auc                       the model's AUC within the group;
 *   calibrationInTheLarge     mean risk − observed miss rate (positive = over-predicts risk);
 *   highTier                  `flagPerformance` of the flag risk ≥ highCut within the group;
 *   disparities               for each metric, group vs the REST (everyone not in this value
 *                             of this dimension), difference = group − rest, and `exceeds` =
 *                             |difference| > the metric's tolerance.
 * tooSmall when the group has fewer than minGroupSize students, or fewer than 5 who missed or
 * 5 who reached, or the rest has fewer than 5 of either: then the group's metrics are null and
 * its disparities are all null with exceeds false — too few to judge, not "no disparity".
 * An undefined value (NaN: e.g. precision when no one is flagged) is null, and a disparity with
 * a null side never exceeds.
 * Cost: O(n log n) per value (the AUCs).
 *
 * Throws EwisError("invalid_argument") on mismatched lengths, labels not 0/1, NaN risks, or a
 * dimension whose values are not one per student.
 */
import { EwisError } from "../errors.ts";
import { auc } from "../metrics.ts";
import type { Disparity, FlagPerformance, SubgroupEvaluation } from "./evaluationTypes.ts";
import { flagAtCut, flagPerformance } from "./flagPerformance.ts";
import { checkRisksAndLabels } from "./inputs.ts";

export type DisparityMetric = Disparity["metric"];

/**
 * How far a group may differ from the rest before the report calls it out. Rates a model
 * moves by a few points between cohorts get 0.05; precision and the flagged share vary more
 * with a group's base rate, so they get 0.10.
 */
export const DEFAULT_TOLERANCES: Record<DisparityMetric, number> = {
  auc: 0.05,
  calibrationInTheLarge: 0.05,
  falsePositiveRate: 0.05,
  falseNegativeRate: 0.05,
  precision: 0.1,
  flaggedShare: 0.1,
};

/**
 * Below 50 students a subgroup's rates move by 0.1 or more with one or two students (the
 * standard error of a rate near ½ is √(¼/50) ≈ 0.07), larger than the tolerances above: such
 * a "disparity" would be noise. 50 is also a common minimum cell size in school reporting.
 */
export const DEFAULT_MIN_GROUP_SIZE = 50;

/** Fewer than this many of either outcome (in the group or the rest) and AUC/rates are not judged. */
const MIN_PER_OUTCOME = 5;

export interface SubgroupDimension {
  dimension: string;
  /** One value per student, parallel to the risks. */
  values: readonly string[];
}

export interface SubgroupOptions {
  highCut: number;
  minGroupSize: number;
  tolerances: Record<DisparityMetric, number>;
}

interface GroupMetrics {
  auc: number;
  calibrationInTheLarge: number;
  highTier: FlagPerformance;
}

/** Listed here once; the Record below makes the compiler insist every metric has a reader. */
const metricOf: Record<DisparityMetric, (m: GroupMetrics) => number> = {
  auc: (m) => m.auc,
  calibrationInTheLarge: (m) => m.calibrationInTheLarge,
  falsePositiveRate: (m) => m.highTier.falsePositiveRate,
  falseNegativeRate: (m) => m.highTier.falseNegativeRate,
  precision: (m) => m.highTier.precision,
  flaggedShare: (m) => m.highTier.flaggedShare,
};

const disparityMetrics = Object.keys(metricOf) as DisparityMetric[];

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

function metricsOf(risks: Float64Array, missed: Uint8Array, highCut: number): GroupMetrics {
  let riskSum = 0;
  let missedSum = 0;
  for (let i = 0; i < risks.length; i++) {
    riskSum += risks[i];
    missedSum += missed[i];
  }
  const n = risks.length;
  return {
    auc: auc(risks, missed),
    calibrationInTheLarge: n === 0 ? NaN : (riskSum - missedSum) / n,
    highTier: flagPerformance(flagAtCut(risks, highCut), missed),
  };
}

function split(risks: ArrayLike<number>, missed: ArrayLike<number>, inGroup: (i: number) => boolean, size: number) {
  const n = risks.length;
  const group = { risks: new Float64Array(size), missed: new Uint8Array(size) };
  const rest = { risks: new Float64Array(n - size), missed: new Uint8Array(n - size) };
  let g = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (inGroup(i)) {
      group.risks[g] = risks[i];
      group.missed[g++] = missed[i];
    } else {
      rest.risks[r] = risks[i];
      rest.missed[r++] = missed[i];
    }
  }
  return { group, rest };
}

export function subgroupEvaluation(
  risks: ArrayLike<number>,
  missed: ArrayLike<number>,
  groups: readonly SubgroupDimension[],
  options: SubgroupOptions,
): SubgroupEvaluation[] {
  checkRisksAndLabels(risks, missed);
  const n = risks.length;
  let totalMissed = 0;
  for (let i = 0; i < n; i++) totalMissed += missed[i];

  const out: SubgroupEvaluation[] = [];
  for (const { dimension, values } of groups) {
    if (values.length !== n) {
      throw new EwisError("invalid_argument", `dimension ${dimension} has ${values.length} values but there are ${n} students`);
    }
    const present = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const value of present) {
      let size = 0;
      let groupMissed = 0;
      for (let i = 0; i < n; i++) {
        if (values[i] === value) {
          size++;
          groupMissed += missed[i];
        }
      }
      const restMissed = totalMissed - groupMissed;
      const restReached = n - size - restMissed;
      const tooSmall =
        size < options.minGroupSize ||
        groupMissed < MIN_PER_OUTCOME ||
        size - groupMissed < MIN_PER_OUTCOME ||
        restMissed < MIN_PER_OUTCOME ||
        restReached < MIN_PER_OUTCOME;

      if (tooSmall) {
        out.push({
          dimension,
          value,
          n: size,
          missed: groupMissed,
          tooSmall,
          auc: null,
          calibrationInTheLarge: null,
          highTier: null,
          disparities: disparityMetrics.map((metric) => ({ metric, group: null, rest: null, difference: null, exceeds: false })),
        });
        continue;
      }

      const { group, rest } = split(risks, missed, (i) => values[i] === value, size);
      const mine = metricsOf(group.risks, group.missed, options.highCut);
      const theirs = metricsOf(rest.risks, rest.missed, options.highCut);
      const disparities = disparityMetrics.map((metric): Disparity => {
        const g = orNull(metricOf[metric](mine));
        const r = orNull(metricOf[metric](theirs));
        const difference = g === null || r === null ? null : g - r;
        return { metric, group: g, rest: r, difference, exceeds: difference !== null && Math.abs(difference) > options.tolerances[metric] };
      });
      out.push({
        dimension,
        value,
        n: size,
        missed: groupMissed,
        tooSmall,
        auc: orNull(mine.auc),
        calibrationInTheLarge: orNull(mine.calibrationInTheLarge),
        highTier: mine.highTier,
        disparities,
      });
    }
  }
  return out;
}
