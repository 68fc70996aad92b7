/**
 * A step from H (minus the Hessian of ℓ_α) by its Cholesky factor, and the step's size. Both fit
 * paths lean on this factor: it decides whether the design is identifiable (a pivot that
 * collapses means a dependent column), solves for the Newton or chord step, and its inverse's
 * diagonal gives the standard errors. Here so that plain Newton and the warm start judge H,
 * invert it and measure their steps identically.
 *
 * Cost: O(k³) to factor and to invert, k = p + 1.
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";

/** A Cholesky pivot below this fraction of its diagonal entry means a dependent column. */
const PIVOT_RATIO = 1e-10;

/**
 * Factors H and checks it is numerically positive definite: every Cholesky pivot must keep at
 * least PIVOT_RATIO of its diagonal entry, i.e. no column is (nearly) a combination of earlier
 * ones in the W-weighted metric. Returns the factor or the index of the first failing column.
 */
export function factor(hess: Float64Array, k: number): CholeskyDecomposition | number {
  const cho = new CholeskyDecomposition(Matrix.from1DArray(k, k, hess));
  const L = cho.lowerTriangularMatrix;
  for (let j = 0; j < k; j++) {
    const d = L.get(j, j);
    if (!(hess[j * k + j] > 0) || !(d * d >= PIVOT_RATIO * hess[j * k + j])) return j;
  }
  return cho.isPositiveDefinite() ? cho : k - 1;
}

/** sqrt(diag(H⁻¹)) from H's factor: of the penalised objective when α > 0. */
export function standardErrors(cho: CholeskyDecomposition, k: number): Float64Array {
  const inverse = cho.solve(Matrix.eye(k));
  const stdErr = new Float64Array(k);
  for (let j = 0; j < k; j++) stdErr[j] = Math.sqrt(inverse.get(j, j));
  return stdErr;
}

/** max_j |v_j|: the size of a step, as the convergence and divergence tests measure it. */
export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let j = 0; j < v.length; j++) m = Math.max(m, Math.abs(v[j]));
  return m;
}
