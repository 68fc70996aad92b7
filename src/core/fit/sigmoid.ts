/**
 * The logistic link and its log-loss, written so that no argument overflows.
 *
 *   sigmoid(z)   = 1 / (1 + e^-z)
 *   log1pExp(z)  = log(1 + e^z)  = max(z, 0) + log1p(e^-|z|)
 *   -log sigmoid(z) = log1pExp(-z),   -log(1 - sigmoid(z)) = log1pExp(z)
 *
 * Scalars in, scalars out; O(1). Never throws. Every result is finite for finite z: for
 * z = ±800 the naive forms give e^800 = Infinity, these give sigmoid = 1 or ~0 and
 * log1pExp(800) = 800.
 *
 * Example: sigmoid(0) === 0.5, log1pExp(0) === Math.LN2, logLossFromLogit(0, 1) === Math.LN2.
 */

/** Branches on the sign of z so that Math.exp only ever sees a non-positive argument. */
export function sigmoid(z: number): number {
  if (z >= 0) {
    return 1 / (1 + Math.exp(-z));
  }
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z) without overflow for large z or loss of precision for very negative z. */
export function log1pExp(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * Negative log-likelihood of one Bernoulli outcome y ∈ [0, 1] under logit z:
 * -[y·log σ(z) + (1 - y)·log(1 - σ(z))]. Written with log1pExp on both sides rather than
 * log1pExp(z) - y·z, which cancels catastrophically when y = 1 and z is large.
 */
export function logLossFromLogit(z: number, y: number): number {
  if (y === 1) return log1pExp(-z);
  if (y === 0) return log1pExp(z);
  return y * log1pExp(-z) + (1 - y) * log1pExp(z);
}
