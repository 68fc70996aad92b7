/**
 * Column standardisation of a row-major n×p matrix, the scaling the ridge fit expects
 * (scikit-learn's StandardScaler):
 *
 *   mean_j = (1/n) Σ_i x_ij
 *   sd_j   = sqrt((1/n) Σ_i (x_ij - mean_j)²)       population sd, ddof = 0
 *   z_ij   = (x_ij - mean_j) / sd_j
 *
 * A constant column has sd 0; its sd is stored as 1 (as StandardScaler does) so that the
 * column becomes all zeros rather than NaN. The trainer drops constant columns before fitting,
 * so this only keeps the arithmetic safe.
 *
 * Cost: O(n·p) time, O(p) extra memory for `standardize`, a new n×p array for `applyScaling`.
 * Throws EwisError("invalid_argument") when n < 1, p < 0 or x.length !== n·p, and
 * `applyScaling` also when an sd is not finite and > 0 or a mean is not finite.
 *
 * Example: standardize(Float64Array.of(1, 3), 2, 1) → { means: [2], sds: [1] }.
 */
import { EwisError } from "../errors.ts";

export interface Scaling {
  means: Float64Array;
  sds: Float64Array;
}

function checkShape(x: Float64Array, n: number, p: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new EwisError("invalid_argument", `standardize needs at least one row (n = ${n})`);
  }
  if (!Number.isInteger(p) || p < 0) {
    throw new EwisError("invalid_argument", `the number of columns must be a whole number ≥ 0 (p = ${p})`);
  }
  if (x.length !== n * p) {
    throw new EwisError("invalid_argument", `x has ${x.length} values, expected n·p = ${n}·${p} = ${n * p}`);
  }
}

export function standardize(x: Float64Array, n: number, p: number): Scaling {
  checkShape(x, n, p);
  const means = new Float64Array(p);
  const sds = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let j = 0; j < p; j++) means[j] += x[off + j];
  }
  for (let j = 0; j < p; j++) means[j] /= n;
  // Two passes (mean, then squared deviations) rather than E[x²] - E[x]², which cancels for
  // columns like scaled scores (mean 500, sd 18).
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let j = 0; j < p; j++) {
      const d = x[off + j] - means[j];
      sds[j] += d * d;
    }
  }
  for (let j = 0; j < p; j++) {
    const sd = Math.sqrt(sds[j] / n);
    sds[j] = sd > 0 ? sd : 1;
  }
  return { means, sds };
}

export function applyScaling(
  x: Float64Array,
  n: number,
  p: number,
  means: Float64Array,
  sds: Float64Array,
): Float64Array {
  checkShape(x, n, p);
  if (means.length !== p || sds.length !== p) {
    throw new EwisError(
      "invalid_argument",
      `scaling has ${means.length} means and ${sds.length} sds, expected ${p} of each`,
    );
  }
  for (let j = 0; j < p; j++) {
    if (!(sds[j] > 0) || !Number.isFinite(sds[j]) || !Number.isFinite(means[j])) {
      throw new EwisError(
        "invalid_argument",
        `scaling for column ${j} is unusable (mean ${means[j]}, sd ${sds[j]}): sds must be finite and > 0`,
      );
    }
  }
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let j = 0; j < p; j++) out[off + j] = (x[off + j] - means[j]) / sds[j];
  }
  return out;
}
