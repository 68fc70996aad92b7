/**
 * Newton's method from β = 0 on ℓ_α, with step halving: the iteration every fit ends up in, on
 * all rows or (for the warm start) on a subsample. Each step is H⁻¹g, halved until ℓ_α does
 * not decrease; converged when max_j |step_j| / (1 + |β_j|) ≤ tolerance, with that last tiny
 * step applied. While it runs it watches for separation (fitFailures.ts), which shows only as
 * the iteration's behaviour over several steps, not in any one of them.
 *
 * McCullagh & Nelder, Generalized Linear Models (2nd ed., 1989), §2.5 and §4.4; statsmodels'
 * `Logit.fit(method="newton")`.
 */
import { Matrix } from "ml-matrix";
import { EwisError } from "../errors.ts";
import { DIVERGENCE_RUN, isDiverging, separationError, singularDesignError } from "./fitFailures.ts";
import type { CheckedProblem, LogisticFit } from "./logisticProblem.ts";
import { factor, maxAbs, standardErrors } from "./newtonStep.ts";
import { logLikelihoodOf, penalise, penaltyOf } from "./penalizedLikelihood.ts";
import type { RowAccumulator, RowSums } from "./rowPass.ts";

const MAX_HALVINGS = 40;

export interface Newton {
  fit: LogisticFit;
  /** The penalised, mirrored H of the last iteration (taken at the last β before the final step). */
  hessian: Float64Array;
}

function sumOfSquares(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return s;
}

/**
 * Newton from zero. Each step's trial point is evaluated with a full pass (gradient, Hessian
 * and log-likelihood together): it is accepted at full length almost always, and then that
 * pass is the next iteration's, so an iteration reads the rows once. Only halved trials use a
 * log-likelihood-only pass, and the accepted one is then accumulated afresh.
 */
export function newton(
  prob: CheckedProblem,
  maxIterations: number,
  tolerance: number,
  names: readonly string[] | undefined,
  accumulate: RowAccumulator,
): Newton {
  const { p, l2 } = prob;
  const k = p + 1;
  let beta = new Float64Array(k);
  let trial = new Float64Array(k);
  let grad = new Float64Array(k);
  let hess = new Float64Array(k * k);
  let trialGrad = new Float64Array(k);
  let trialHess = new Float64Array(k * k);
  const step = new Float64Array(k);
  let sums: RowSums | null = accumulate(prob, beta, grad, hess);
  let objective = sums.logLikelihood - penaltyOf(l2, beta);
  let previousStepNorm = Infinity;
  let divergingRun = 0;
  let saturated = 0;
  let lastStep: Float64Array | null = null;

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    sums ??= accumulate(prob, beta, grad, hess);
    saturated = sums.saturated;
    penalise(l2, beta, grad, hess);

    const cho = factor(hess, k);
    if (typeof cho === "number") {
      if (l2 === 0 && saturated > 0) throw separationError(prob, saturated, iteration, lastStep, names);
      throw singularDesignError(cho, names);
    }
    const solved = cho.solve(Matrix.columnVector(grad));
    let small = true;
    for (let j = 0; j < k; j++) {
      step[j] = solved.get(j, 0);
      if (!Number.isFinite(step[j])) {
        throw new EwisError("singular", `the Newton step is not finite at iteration ${iteration}: the design is numerically singular`);
      }
      if (Math.abs(step[j]) > tolerance * (1 + Math.abs(beta[j]))) small = false;
    }

    if (small) {
      for (let j = 0; j < k; j++) beta[j] += step[j];
      const stdErr = standardErrors(cho, k);
      const fit = { coef: beta, stdErr, iterations: iteration, converged: true, logLikelihood: logLikelihoodOf(prob, beta) };
      return { fit, hessian: hess };
    }

    let t = 1;
    let accepted = false;
    let trialObjective = objective;
    let trialSums: RowSums | null = null;
    for (let halving = 0; halving <= MAX_HALVINGS; halving++, t *= 0.5) {
      for (let j = 0; j < k; j++) trial[j] = beta[j] + t * step[j];
      if (halving === 0) {
        trialSums = accumulate(prob, trial, trialGrad, trialHess);
        trialObjective = trialSums.logLikelihood - penaltyOf(l2, trial);
      } else {
        trialSums = null;
        trialObjective = logLikelihoodOf(prob, trial) - penaltyOf(l2, trial);
      }
      // A relative slack so that round-off near the optimum does not force pointless halvings.
      if (trialObjective >= objective - 1e-12 * (1 + Math.abs(objective))) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      throw new EwisError(
        "not_converged",
        `did not converge: after ${iteration} iterations the Newton direction no longer improves the log-likelihood`,
      );
    }

    const stepNorm = maxAbs(step);
    // The Euclidean norm, not the largest entry: a large intercept would hide a growing flag.
    const grew = sumOfSquares(trial) > sumOfSquares(beta);
    divergingRun = l2 === 0 && isDiverging(saturated, grew, stepNorm, previousStepNorm) ? divergingRun + 1 : 0;
    previousStepNorm = stepNorm;
    lastStep = Float64Array.from(step);
    [beta, trial] = [trial, beta];
    [grad, trialGrad] = [trialGrad, grad];
    [hess, trialHess] = [trialHess, hess];
    sums = trialSums;
    objective = trialObjective;
    if (divergingRun >= DIVERGENCE_RUN) throw separationError(prob, saturated, iteration, lastStep, names);
  }

  if (l2 === 0 && saturated > 0) throw separationError(prob, saturated, maxIterations, lastStep, names);
  throw new EwisError(
    "not_converged",
    `did not converge within ${maxIterations} iterations (largest last step ${maxAbs(lastStep ?? step).toExponential(2)}); ` +
      `raise maxIterations or check the features for extreme values`,
  );
}
