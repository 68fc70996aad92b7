/**
 * How a yes/no flag does against outcomes (missed = 1 is the positive class):
 *   recall = TP/(TP+FN)   specificity = TN/(TN+FP)   precision = TP/(TP+FP)
 *   falsePositiveRate = FP/(FP+TN)   falseNegativeRate = FN/(TP+FN)   flaggedShare = flagged/n
 * A rate whose denominator is 0 (no one missed, no one reached, no one flagged, n = 0) is NaN:
 * undefined, not zero. O(n).
 *
 * Throws EwisError("invalid_argument") on mismatched lengths, labels not 0/1, or a flag that
 * is not a boolean, 0 or 1.
 *
 * Example: flagged [1, 1, 0, 0], missed [1, 0, 1, 0] → TP = FP = FN = TN = 1: every rate ½.
 */
import { EwisError } from "../errors.ts";
import { checkCutPoints } from "../riskTier.ts";
import type { CutPointPerformance, FlagPerformance } from "./evaluationTypes.ts";
import { checkRisksAndLabels } from "./inputs.ts";

const ratio = (a: number, b: number): number => (b === 0 ? NaN : a / b);

export function flagPerformance(flagged: ArrayLike<boolean | number>, missed: ArrayLike<number>): FlagPerformance {
  if (flagged.length !== missed.length) {
    throw new EwisError("invalid_argument", `there are ${flagged.length} flags but ${missed.length} outcomes`);
  }
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < missed.length; i++) {
    const f = flagged[i];
    if (f !== true && f !== false && f !== 0 && f !== 1) {
      throw new EwisError("invalid_argument", `flag at row ${i} is ${f}: must be true, false, 0 or 1`);
    }
    const y = missed[i];
    if (y !== 0 && y !== 1) {
      throw new EwisError("invalid_argument", `outcome at row ${i} is ${y}: must be 0 (reached) or 1 (missed)`);
    }
    const isFlagged = f === true || f === 1;
    if (isFlagged) {
      if (y === 1) tp++;
      else fp++;
    } else if (y === 1) fn++;
    else tn++;
  }
  const n = missed.length;
  const flaggedCount = tp + fp;
  return {
    recall: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    precision: ratio(tp, flaggedCount),
    falsePositiveRate: ratio(fp, fp + tn),
    falseNegativeRate: ratio(fn, tp + fn),
    flaggedShare: ratio(flaggedCount, n),
    flagged: flaggedCount,
    n,
  };
}

/** Flags of students whose risk is at least `cut`. */
export function flagAtCut(risks: ArrayLike<number>, cut: number): Uint8Array {
  const flags = new Uint8Array(risks.length);
  for (let i = 0; i < risks.length; i++) flags[i] = risks[i] >= cut ? 1 : 0;
  return flags;
}

/**
 * The two tier cut-points as flags: "moderate" flags moderate or high (risk ≥ cutPoints[0]),
 * "high" flags high only (risk ≥ cutPoints[1]). Cut-points are checked as `checkCutPoints` does.
 */
export function cutPointPerformance(risks: ArrayLike<number>, missed: ArrayLike<number>, cutPoints: readonly [number, number]): CutPointPerformance[] {
  checkRisksAndLabels(risks, missed);
  const [moderate, high] = checkCutPoints(cutPoints);
  return [
    { tier: "moderate", cut: moderate, ...flagPerformance(flagAtCut(risks, moderate), missed) },
    { tier: "high", cut: high, ...flagPerformance(flagAtCut(risks, high), missed) },
  ];
}
