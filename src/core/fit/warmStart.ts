/**
 * The warm start for large fits: Newton on a subsample, then chord steps on all rows. Plain
 * Newton needs an O(n·p²) Hessian pass per iteration; from WARM_START_ROWS rows on that
 * dominates a fit, and this path replaces all but one of those passes with O(n·p) gradient
 * passes while ending at the same optimum. It is only ever a shortcut: whenever anything looks
 * unusual it gives up and lets plain Newton (newton.ts) fit and diagnose from zero.
 */
import { Matrix } from "ml-matrix";
import type { CheckedProblem, LogisticFit } from "./logisticProblem.ts";
import { newton, type Newton } from "./newton.ts";
import { factor, maxAbs, standardErrors } from "./newtonStep.ts";
import { penalise, penaltyOf } from "./penalizedLikelihood.ts";
import type { RowAccumulator, RowSums } from "./rowPass.ts";

/** From this many rows on, a fit starts from a subsample's solution. */
export const WARM_START_ROWS = 200_000;
const SAMPLE_ROWS = 50_000;
const MAX_CHORD_STEPS = 50;

/**
 * A large fit, fast: a Newton fit on an evenly spaced subsample (penalty scaled to its size)
 * lands within sampling error of the optimum; from there, chord steps converge linearly at a
 * rate about that sampling error: the subsample's Hessian scaled to n stands in for the full
 * one, and only the gradient (with the log-likelihood, same pass) is recomputed on all rows,
 * O(n·p) instead of O(n·p²). One full Hessian near the optimum then gives an exact Newton step
 * and the standard errors. The same step tolerance as plain Newton, so the same optimum: the
 * fit ends on a Newton step (or a chord step, each of which shrinks the error by about the
 * sampling error, ~0.01 at 50k rows) no larger than the tolerance, with H taken where plain
 * Newton would take its last one. On 1M × 25 that is 3 gradient passes and 1 Hessian pass, and
 * the coefficients equal plain Newton's to ~1e-16. Returns undefined, and the caller fits from
 * zero, whenever anything is unusual: a one-class or separated subsample, an indefinite
 * Hessian, a step that does not improve, or slow convergence; the plain path then does the
 * diagnosing.
 */
export function fitFromSample(
  prob: CheckedProblem,
  tolerance: number,
  maxIterations: number,
  accumulate: RowAccumulator,
): LogisticFit | undefined {
  const { n, p, l2, x, y } = prob;
  const k = p + 1;
  const every = Math.ceil(n / SAMPLE_ROWS);
  const ns = Math.ceil(n / every);
  // In the same kind of memory as x: an accumulator that shares x with other threads
  // (src/parallel) can then share the subsample's passes too.
  const Memory = x.buffer.constructor as ArrayBufferConstructor;
  const sx = new Float64Array(new Memory(8 * ns * p));
  const sy = new Uint8Array(new Memory(ns));
  for (let s = 0, i = 0; i < n; i += every, s++) {
    // An element loop, not set(subarray()): that allocates a view per row.
    for (let j = 0; j < p; j++) sx[s * p + j] = x[i * p + j];
    sy[s] = y[i];
  }
  let sample: Newton;
  try {
    sample = newton({ x: sx, y: sy, n: ns, p, l2: (l2 * ns) / n }, maxIterations, 1e-6, undefined, accumulate);
  } catch {
    return undefined;
  }
  let beta = sample.fit.coef;
  // The subsample's last Hessian (penalised with α·ns/n) times n/ns is H_s·n/ns + α·diag(0, 1…1):
  // it was taken one step (≤ 1e-6 relative) before the subsample's optimum, far closer than the
  // subsample is to the full data, so it serves as the chord as well as one taken at the optimum.
  const chordHessian = Float64Array.from(sample.hessian, (h) => (h * n) / ns);
  const chord = factor(chordHessian, k);
  if (typeof chord === "number") return undefined;
  const grad = new Float64Array(k);
  const sums = accumulate(prob, beta, grad, null);
  if (sums.saturated > 0 && l2 === 0) return undefined;
  // The one place a non-finite x shows, since the fit did not scan x first (logisticFit.ts): it
  // makes η non-finite, or the gradient entry it multiplies, NaN or ±∞.
  if (!Number.isFinite(sums.logLikelihood) || !grad.every(Number.isFinite)) return undefined;
  penalise(l2, beta, grad, null);
  let objective = sums.logLikelihood - penaltyOf(l2, beta);
  let previous = Infinity;
  for (let iteration = 1; iteration <= MAX_CHORD_STEPS; iteration++) {
    const solved = chord.solve(Matrix.columnVector(grad));
    const step = Float64Array.from({ length: k }, (_, j) => solved.get(j, 0));
    const trial = Float64Array.from(beta, (b, j) => b + step[j]);
    const size = maxAbs(step);
    // Chord steps shrink geometrically, each about `rate` times the one before. Once the next
    // one is predicted to fall below the tolerance (with a factor 2 to spare), it is not taken
    // with the chord: the full Hessian the standard errors need anyway is taken at this trial,
    // and its exact Newton step finishes the fit, which saves one pass over the rows. If the
    // prediction was wrong, that pass serves as an ordinary chord pass.
    const rate = size / previous;
    let small = true;
    let nextSmall = previous < Infinity && rate < 0.1;
    for (let j = 0; j < k; j++) {
      if (!Number.isFinite(step[j])) return undefined;
      if (Math.abs(step[j]) > tolerance * (1 + Math.abs(beta[j]))) small = false;
      if (Math.abs(step[j]) * rate > 0.5 * tolerance * (1 + Math.abs(trial[j]))) nextSmall = false;
    }
    let atTrial: RowSums;
    if (small || nextSmall) {
      const hess = new Float64Array(k * k);
      atTrial = accumulate(prob, trial, grad, hess);
      penalise(l2, trial, grad, hess);
      const cho = factor(hess, k);
      if (typeof cho === "number") return undefined;
      let coef: Float64Array | undefined = trial;
      if (!small) {
        const newtonSolved = cho.solve(Matrix.columnVector(grad));
        const newtonStep = Float64Array.from({ length: k }, (_, j) => newtonSolved.get(j, 0));
        const done = newtonStep.every((d, j) => Math.abs(d) <= tolerance * (1 + Math.abs(trial[j])));
        coef = done ? Float64Array.from(trial, (b, j) => b + newtonStep[j]) : undefined;
      }
      if (coef) {
        const stdErr = standardErrors(cho, k);
        // ℓ is the trial's; at coef it differs by about gᵀδ/2 (~1e-12 here), below ℓ's own rounding.
        return { coef, stdErr, iterations: small ? iteration : iteration + 1, converged: true, logLikelihood: atTrial.logLikelihood };
      }
    } else {
      // The gradient at the trial comes with its log-likelihood; if the step is rejected the
      // fit starts over, so overwriting grad is harmless.
      atTrial = accumulate(prob, trial, grad, null);
      penalise(l2, trial, grad, null);
    }
    const trialObjective = atTrial.logLikelihood - penaltyOf(l2, trial);
    if (trialObjective < objective - 1e-12 * (1 + Math.abs(objective)) || size > 0.5 * previous) return undefined;
    previous = size;
    objective = trialObjective;
    beta = trial;
  }
  return undefined;
}
