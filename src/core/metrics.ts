/**
 * How well predicted risks match outcomes. Inputs are parallel arrays of n values: scores or
 * probabilities, and labels in {0, 1}.
 *
 *   auc      = (R₁ - n₁(n₁+1)/2) / (n₁·n₀), R₁ the sum of the positives' mid-ranks
 *              (Mann–Whitney U / n₁n₀: P(score of a positive > score of a negative), ties ½).
 *              O(n log n). Exact with ties.
 *   brier    = (1/n) Σ (p_i - y_i)²                                              O(n)
 *   logLoss  = -(1/n) Σ y_i log p_i + (1 - y_i) log(1 - p_i), p clipped to
 *              [1e-15, 1 - 1e-15] as scikit-learn does, so one confident miss is large
 *              but finite.                                                       O(n)
 *   calibrationByDecile: rows sorted by p (ties by row order) and cut into 10 bins whose
 *              sizes differ by at most one; bin b holds sorted rows ⌊b·n/10⌋ … ⌊(b+1)·n/10⌋ - 1.
 *              Empty bins (n < 10) are omitted. O(n log n).
 *
 * Undefined values are NaN, not errors: auc when only one class is present (or n = 0),
 * brier and logLoss when n = 0.
 * Throws EwisError("invalid_argument") when the lengths differ, a label is not 0 or 1, a
 * score is NaN, or a probability is outside [0, 1].
 *
 * Example: auc([0.1, 0.4, 0.4, 0.9], [0, 0, 1, 1]) = 0.875 (the tied pair counts ½).
 */
import { EwisError } from "./errors.ts";

export interface CalibrationBin {
  /** 1 (lowest predicted risk) to 10. */
  decile: number;
  n: number;
  meanPredicted: number;
  observedRate: number;
}

function checkLabels(values: ArrayLike<number>, labels: ArrayLike<number>, what: string): void {
  if (values.length !== labels.length) {
    throw new EwisError("invalid_argument", `${what} has ${values.length} values but there are ${labels.length} labels`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new EwisError("invalid_argument", `label at row ${i} is ${labels[i]}: labels must be 0 or 1`);
    }
  }
}

function checkProbabilities(p: ArrayLike<number>): void {
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new EwisError("invalid_argument", `probability at row ${i} is ${p[i]}: must be between 0 and 1`);
    }
  }
}

/** Row indices ordered by value, ties by index, so every caller sees the same order. */
function sortedOrder(values: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : a - b));
}

export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLabels(scores, labels, "scores");
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) {
      throw new EwisError("invalid_argument", `score at row ${i} is NaN`);
    }
  }
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;

  const order = sortedOrder(scores);
  let rankSum = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    // Ranks start+1 … end share their mean.
    const midRank = (start + 1 + end) / 2;
    for (let r = start; r < end; r++) if (labels[order[r]] === 1) rankSum += midRank;
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLabels(p, y, "probabilities");
  checkProbabilities(p);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += (p[i] - y[i]) ** 2;
  return sum / p.length;
}

const LOG_LOSS_CLIP = 1e-15;

export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLabels(p, y, "probabilities");
  checkProbabilities(p);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i], LOG_LOSS_CLIP), 1 - LOG_LOSS_CLIP);
    sum -= y[i] === 1 ? Math.log(q) : Math.log1p(-q);
  }
  return sum / p.length;
}

export function calibrationByDecile(p: ArrayLike<number>, y: ArrayLike<number>): CalibrationBin[] {
  checkLabels(p, y, "probabilities");
  checkProbabilities(p);
  const n = p.length;
  const order = sortedOrder(p);
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < 10; b++) {
    const start = Math.floor((b * n) / 10);
    const end = Math.floor(((b + 1) * n) / 10);
    if (end === start) continue;
    let predicted = 0;
    let observed = 0;
    for (let r = start; r < end; r++) {
      predicted += p[order[r]];
      observed += y[order[r]];
    }
    const size = end - start;
    bins.push({ decile: b + 1, n: size, meanPredicted: predicted / size, observedRate: observed / size });
  }
  return bins;
}
