/**
 * What a logistic fit takes and what it gives back, and the one check of the input that every
 * entry point (the fit, the objective, its gradient) runs first. Kept apart from the iteration
 * so that the Newton, warm-start and objective files can share these shapes without importing
 * the fit itself.
 *
 * Shapes: x is row-major n×p with NO intercept column; y has n values in {0, 1}; coef and
 * stdErr have length p + 1, intercept first.
 */
import { EwisError } from "../errors.ts";

export interface LogisticProblem {
  /** Row-major n×p, no intercept column. */
  x: Float64Array;
  /** n outcomes, each 0 or 1. */
  y: ArrayLike<number>;
  n: number;
  p: number;
  /** Ridge penalty α on β₁…β_p (never the intercept). Default 0. */
  l2?: number;
}

export interface LogisticFit {
  /** Length p + 1, intercept first. */
  coef: Float64Array;
  /** sqrt(diag(H⁻¹)), length p + 1; of the penalised objective when l2 > 0. */
  stdErr: Float64Array;
  iterations: number;
  converged: boolean;
  /** Unpenalised log-likelihood ℓ(coef); the penalty is not included. */
  logLikelihood: number;
}

/** A problem that has passed `checkProblem`, with the penalty's default filled in. */
export interface CheckedProblem {
  x: Float64Array;
  /** Always a Uint8Array: the row passes then see one element type (V8 specialises them on it). */
  y: Uint8Array;
  n: number;
  p: number;
  l2: number;
}

/**
 * x_i - x_i is 0 for every finite x_i and NaN otherwise: one cheap sum over the design (four
 * independent ones, so the additions do not wait on each other), and the slow search for the
 * culprit only when something is wrong.
 */
function allFinite(x: Float64Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const whole = x.length - (x.length % 4);
  for (let i = 0; i < whole; i += 4) {
    s0 += x[i] - x[i];
    s1 += x[i + 1] - x[i + 1];
    s2 += x[i + 2] - x[i + 2];
    s3 += x[i + 3] - x[i + 3];
  }
  for (let i = whole; i < x.length; i++) s0 += x[i] - x[i];
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * Throws EwisError("invalid_argument") on bad shapes, n = 0, non-finite x, y not 0/1 or a bad l2.
 * `finite: false` leaves x's values unread, for a caller whose own first pass over x notices a
 * non-finite value anyway (the warm start: a non-finite x makes some gradient entry non-finite)
 * and then runs the full check, which names the value. On 1M × 25 the scan is ~30 ms, an
 * eighth of the fit.
 */
export function checkProblem(problem: LogisticProblem, { finite = true }: { finite?: boolean } = {}): CheckedProblem {
  const { x, y, n, p } = problem;
  const l2 = problem.l2 ?? 0;
  if (!Number.isInteger(n) || n < 1) {
    throw new EwisError("invalid_argument", `cannot fit a model to ${n} rows: at least one row is needed`);
  }
  if (!Number.isInteger(p) || p < 0) {
    throw new EwisError("invalid_argument", `the number of features must be a whole number ≥ 0 (p = ${p})`);
  }
  if (x.length !== n * p) {
    throw new EwisError("invalid_argument", `x has ${x.length} values, expected n·p = ${n}·${p} = ${n * p}`);
  }
  if (y.length !== n) {
    throw new EwisError("invalid_argument", `y has ${y.length} values, expected n = ${n}`);
  }
  if (!Number.isFinite(l2) || l2 < 0) {
    throw new EwisError("invalid_argument", `l2 must be a finite number ≥ 0 (got ${l2})`);
  }
  if (finite && !allFinite(x)) {
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) {
        const row = Math.floor(i / p);
        throw new EwisError("invalid_argument", `x at row ${row}, column ${i - row * p} is ${x[i]}: features must be finite`);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new EwisError("invalid_argument", `y at row ${i} is ${y[i]}: outcomes must be 0 or 1`);
    }
  }
  // Copied only when it is another type; a Uint8Array (possibly on shared memory, for
  // src/parallel) is used as it is.
  return { x, y: y instanceof Uint8Array ? y : Uint8Array.from(y), n, p, l2 };
}
