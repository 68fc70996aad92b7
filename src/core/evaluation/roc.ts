/**
 * The ROC curve of a risk score: for every distinct risk r taken as the cut-point (flag when
 * risk ≥ r), the point (FPR, TPR) = (FP / negatives, TP / positives). Tied risks are flagged
 * together, so a tie is one (diagonal) step. Starts at (0, 0), ends at (1, 1). O(n log n).
 *
 * Downsampling: a curve with more than `maxPoints` points keeps `maxPoints` of them, evenly
 * spaced along the curve's point sequence (always the first and last). The points kept lie on
 * the exact curve; straight lines between them cut a corner by at most a few steps.
 *
 * When only one outcome is present the rates are undefined and the curve is empty.
 * Throws EwisError("invalid_argument") on mismatched lengths, labels not 0/1, NaN risks, or
 * maxPoints < 2.
 *
 * Example: rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]) →
 *   falsePositiveRate [0, 0, 0.5, 1], truePositiveRate [0, 0.5, 1, 1].
 */
import { EwisError } from "../errors.ts";
import { checkRisksAndLabels, descendingOrder } from "./inputs.ts";

export interface RocCurve {
  falsePositiveRate: number[];
  truePositiveRate: number[];
}

export function rocCurve(risks: ArrayLike<number>, missed: ArrayLike<number>, maxPoints = 200): RocCurve {
  checkRisksAndLabels(risks, missed);
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw new EwisError("invalid_argument", `maxPoints must be a whole number of at least 2, got ${maxPoints}`);
  }
  const n = risks.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += missed[i];
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return { falsePositiveRate: [], truePositiveRate: [] };

  const order = descendingOrder(risks);
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  let start = 0;
  while (start < n) {
    let end = start;
    while (end < n && risks[order[end]] === risks[order[start]]) {
      if (missed[order[end]] === 1) tp++;
      else fp++;
      end++;
    }
    fpr.push(fp / negatives);
    tpr.push(tp / positives);
    start = end;
  }
  return downsample({ falsePositiveRate: fpr, truePositiveRate: tpr }, maxPoints);
}

function downsample(curve: RocCurve, maxPoints: number): RocCurve {
  const m = curve.falsePositiveRate.length;
  if (m <= maxPoints) return curve;
  const falsePositiveRate: number[] = [];
  const truePositiveRate: number[] = [];
  // Spacing (m-1)/(maxPoints-1) > 1, so the rounded indices are distinct; j = 0 and the last give the endpoints.
  for (let j = 0; j < maxPoints; j++) {
    const k = Math.round((j * (m - 1)) / (maxPoints - 1));
    falsePositiveRate.push(curve.falsePositiveRate[k]);
    truePositiveRate.push(curve.truePositiveRate[k]);
  }
  return { falsePositiveRate, truePositiveRate };
}

/**
 * The curve's TPR at a given FPR, by linear interpolation between its points. Where the curve
 * rises vertically at exactly that FPR, the highest TPR there: a rule's point (fpr, tpr) lies
 * above the curve only if tpr > tprAtFpr(curve, fpr), i.e. the model cannot match it at that
 * false-positive rate. NaN for an empty curve or a NaN fpr; fpr is clamped to [0, 1]. O(points).
 */
export function tprAtFpr(curve: RocCurve, fpr: number): number {
  const xs = curve.falsePositiveRate;
  const ys = curve.truePositiveRate;
  if (xs.length === 0 || Number.isNaN(fpr)) return NaN;
  const x = Math.min(Math.max(fpr, 0), 1);
  // The last point with FPR ≤ x: FPR and TPR never decrease, so it has the highest TPR there.
  let i = -1;
  while (i + 1 < xs.length && xs[i + 1] <= x) i++;
  if (i < 0) return ys[0];
  if (xs[i] === x || i === xs.length - 1) return ys[i];
  const t = (x - xs[i]) / (xs[i + 1] - xs[i]);
  return ys[i] + t * (ys[i + 1] - ys[i]);
}
