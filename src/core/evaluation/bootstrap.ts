/**
 * Percentile bootstrap interval for the AUC (Efron & Tibshirani 1993, ch. 13).
 *
 * Each replicate draws n rows with replacement from a seeded PRNG (mulberry32, below), so the
 * same seed gives the same interval bit for bit on every platform. A resample is a multiset:
 * it is kept as a count per original row, and its AUC is the Mann–Whitney statistic summed
 * over the tie groups of one pre-sorted order,
 *   U = Σ_groups w₁(g) · (w₀(below g) + w₀(g)/2),   AUC = U / (W₁ · W₀),
 * with w₁, w₀ the resampled counts of missed / reached rows — ties count ½, as in `auc`.
 * Cost: one O(n log n) sort, then O(n) per replicate (n = 20 000, 1000 replicates ≈ 0.1 s).
 *
 * estimate = `auc` on the full sample. low / high = the 2.5th and 97.5th percentiles of the
 * replicate AUCs, linearly interpolated between order statistics (numpy's default).
 * A resample holding only one outcome has no AUC and is skipped: the percentiles are taken
 * over the replicates that remain (with both outcomes ≥ 5 % of n this essentially never
 * happens). When none remains — or the full sample has one outcome only — low and high are NaN.
 *
 * Throws EwisError("invalid_argument") on mismatched lengths, labels not 0/1, NaN risks,
 * replicates not a positive whole number, or a seed that is not a whole number.
 */
import { EwisError } from "../errors.ts";
import { auc } from "../metrics.ts";
import type { Interval } from "./evaluationTypes.ts";
import { checkRisksAndLabels } from "./inputs.ts";

export interface BootstrapOptions {
  replicates?: number;
  seed: number;
}

/** mulberry32 (Tommy Ettinger, public domain): a 32-bit state PRNG, uniform on [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function bootstrapAuc(risks: ArrayLike<number>, missed: ArrayLike<number>, { replicates = 1000, seed }: BootstrapOptions): Interval {
  checkRisksAndLabels(risks, missed);
  if (!(Number.isInteger(replicates) && replicates >= 1)) {
    throw new EwisError("invalid_argument", `replicates must be a whole number of at least 1, got ${replicates}`);
  }
  if (!Number.isInteger(seed)) {
    throw new EwisError("invalid_argument", `seed must be a whole number, got ${seed}`);
  }
  const estimate = auc(risks, missed);
  if (Number.isNaN(estimate)) return { estimate, low: NaN, high: NaN };

  const n = risks.length;
  const weightedAuc = weightedAucOf(risks, missed);
  const random = mulberry32(seed);
  const weight = new Uint32Array(n); // draws of original row i
  const values = new Float64Array(replicates);
  let kept = 0;
  for (let b = 0; b < replicates; b++) {
    weight.fill(0);
    for (let k = 0; k < n; k++) weight[Math.floor(random() * n)]++;
    const value = weightedAuc(weight);
    if (!Number.isNaN(value)) values[kept++] = value; // NaN: one outcome only, skipped
  }
  if (kept === 0) return { estimate, low: NaN, high: NaN };
  const sorted = values.subarray(0, kept).sort();
  return { estimate, low: percentile(sorted, 0.025), high: percentile(sorted, 0.975) };
}

/**
 * AUC of a multiset of the rows, row i counted weight[i] times: one O(n log n) sort here, then
 * O(n) per call. Equals `auc` on the rows repeated by their weights; NaN when the weighted
 * sample has one outcome only. `risks` and `missed` must already be checked.
 */
export function weightedAucOf(risks: ArrayLike<number>, missed: ArrayLike<number>): (weight: ArrayLike<number>) => number {
  const n = risks.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (risks[a] < risks[b] ? -1 : risks[a] > risks[b] ? 1 : a - b));
  // groupEnd[g] is one past the last sorted position of tie group g.
  const groupEnds: number[] = [];
  for (let r = 1; r <= n; r++) {
    if (r === n || risks[order[r]] !== risks[order[r - 1]]) groupEnds.push(r);
  }
  const groupEnd = Uint32Array.from(groupEnds);
  const sortedMissed = new Uint8Array(n);
  for (let r = 0; r < n; r++) sortedMissed[r] = missed[order[r]];

  return (weight) => {
    let u = 0;
    let below = 0; // weight of reached rows with lower risk
    let positives = 0;
    let start = 0;
    for (let g = 0; g < groupEnd.length; g++) {
      const end = groupEnd[g];
      let w1 = 0;
      let w0 = 0;
      for (let r = start; r < end; r++) {
        const w = weight[order[r]];
        if (sortedMissed[r] === 1) w1 += w;
        else w0 += w;
      }
      u += w1 * (below + w0 / 2);
      below += w0;
      positives += w1;
      start = end;
    }
    return positives === 0 || below === 0 ? NaN : u / (positives * below);
  };
}

/** Linear interpolation between order statistics of an ascending array (numpy's "linear"). */
function percentile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
