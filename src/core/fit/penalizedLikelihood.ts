/**
 * The objective the fit maximises, ℓ_α(β) = ℓ(β) - (α/2) Σ_{j≥1} β_j², and the penalty's share
 * of its gradient and Hessian. One definition, used by plain Newton, the warm start's chord
 * steps and the public functions the golden test checks against statsmodels and scikit-learn,
 * so they cannot disagree about what is being maximised. The intercept β₀ is never penalised.
 *
 *   g = X̃ᵀ(y - μ) - α·(0, β₁…β_p)          H = X̃ᵀWX̃ + α·diag(0, 1…1)
 *
 * The data's part of g and H comes from a row pass (rowPass.ts); this file adds the penalty.
 */
import { EwisError } from "../errors.ts";
import { checkProblem, type CheckedProblem, type LogisticProblem } from "./logisticProblem.ts";
import { allRows, mirrorUpper } from "./rowPass.ts";
import { logLossFromLogit } from "./sigmoid.ts";

/** ℓ(β) alone, without the gradient or Hessian: what a halved Newton trial needs. O(n·p). */
export function logLikelihoodOf(prob: CheckedProblem, beta: Float64Array): number {
  const { x, y, n, p } = prob;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    let eta = beta[0];
    for (let j = 0; j < p; j++) eta += beta[j + 1] * x[off + j];
    ll -= logLossFromLogit(eta, y[i]);
  }
  return ll;
}

/** (α/2) Σ_{j≥1} β_j². */
export function penaltyOf(l2: number, beta: Float64Array): number {
  let s = 0;
  for (let j = 1; j < beta.length; j++) s += beta[j] * beta[j];
  return 0.5 * l2 * s;
}

/** grad -= α·(0, β₁…β_p) and, when given, H += α·diag(0, 1…1); then mirrors H's upper triangle. */
export function penalise(l2: number, beta: Float64Array, grad: Float64Array, hess: Float64Array | null): void {
  const k = beta.length;
  for (let j = 1; j < k; j++) {
    grad[j] -= l2 * beta[j];
    if (hess) hess[j * k + j] += l2;
  }
  if (hess) mirrorUpper(hess, k);
}

function checkBeta(prob: CheckedProblem, beta: ArrayLike<number>): Float64Array {
  if (beta.length !== prob.p + 1) {
    throw new EwisError("invalid_argument", `beta has ${beta.length} values, expected p + 1 = ${prob.p + 1}`);
  }
  return Float64Array.from(beta);
}

/** ℓ_α(β) = ℓ(β) - (α/2) Σ_{j≥1} β_j². O(n·p). */
export function penalizedLogLikelihood(problem: LogisticProblem, beta: ArrayLike<number>): number {
  const prob = checkProblem(problem);
  const b = checkBeta(prob, beta);
  return logLikelihoodOf(prob, b) - penaltyOf(prob.l2, b);
}

/** ∇ℓ_α(β) = X̃ᵀ(y - μ) - α·(0, β₁…β_p), length p + 1; the gradient the fit uses. O(n·p). */
export function penalizedGradient(problem: LogisticProblem, beta: ArrayLike<number>): Float64Array {
  const prob = checkProblem(problem);
  const b = checkBeta(prob, beta);
  const grad = new Float64Array(prob.p + 1);
  allRows(prob, b, grad, null);
  for (let j = 1; j < grad.length; j++) grad[j] -= prob.l2 * b[j];
  return grad;
}
