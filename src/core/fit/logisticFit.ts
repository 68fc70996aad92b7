/**
 * Logistic regression by Newton's method (iteratively reweighted least squares), with an
 * optional ridge penalty that never touches the intercept.
 *
 * Model and objective, with X̃ = [1 | X] (n×k, k = p + 1) and β = (β₀, β₁…β_p):
 *   η = X̃β,  μ = σ(η),  W = diag(μ(1 - μ))
 *   ℓ(β)   = Σ_i y_i log μ_i + (1 - y_i) log(1 - μ_i)
 *   ℓ_α(β) = ℓ(β) - (α/2) Σ_{j≥1} β_j²                      maximised (α = l2 ≥ 0)
 *   g      = X̃ᵀ(y - μ) - α·(0, β₁…β_p)                      gradient of ℓ_α
 *   H      = X̃ᵀWX̃ + α·diag(0, 1…1)                          minus the Hessian of ℓ_α
 *   step   = H⁻¹g (Cholesky), halved until ℓ_α does not decrease
 * Converged when max_j |step_j| / (1 + |β_j|) ≤ tolerance; the last (tiny) step is applied.
 * Standard errors are sqrt(diag(H⁻¹)) from the Cholesky factor of the last iteration (the
 * penalised H when α > 0). The penalty applies to the x it is given: standardise first for
 * scikit-learn's ridge (see standardize.ts).
 *
 * Shapes: x is row-major n×p with NO intercept column; y has n values in {0, 1}; coef and
 * stdErr have length p + 1, intercept first.
 * Cost: O(n·p²) time per iteration to build H, O(p³) to factor it, O(n·p + p²) memory; no
 * allocation per row. Typically 5–8 iterations, one pass over the rows each (rowPass.ts: η,
 * gradient, H and ℓ together). From WARM_START_ROWS rows on, a subsample's fit and chord steps
 * replace all but one of the O(n·p²) passes (see warmStart.ts). The passes go through
 * `options.accumulator` when given (src/parallel spreads them over threads); the fit itself
 * stays synchronous either way.
 *
 * Throws EwisError with code
 *   - "invalid_argument"  bad shapes, n = 0, non-finite x, y not 0/1, bad options;
 *   - "insufficient_data" y has only one class (the intercept alone would diverge);
 *   - "separation"        (α = 0 only) the outcome is (quasi-)completely separated: some rows
 *                         are predicted perfectly while the coefficients keep growing, so no
 *                         finite maximum-likelihood estimate exists (see fitFailures.ts);
 *   - "singular"          H is not numerically positive definite without separation, e.g. a
 *                         duplicated, constant or linearly dependent column;
 *   - "not_converged"     no convergence within maxIterations.
 *
 * Algorithm: McCullagh & Nelder, Generalized Linear Models (2nd ed., 1989), §2.5 and §4.4;
 * the same Newton iteration as statsmodels' `Logit.fit(method="newton")`, whose numbers the
 * golden test pins (fixtures/oracle).
 *
 * This file is the entry point: it checks the options and picks the path. The pieces, one
 * concept a file: logisticProblem.ts (input, result, validation), penalizedLikelihood.ts (ℓ_α,
 * g and H's penalty), newtonStep.ts (the Cholesky factor, steps, standard errors), newton.ts
 * (the iteration), warmStart.ts (the large-fit shortcut), fitFailures.ts (separation and
 * singular designs, explained).
 *
 * Example: fitLogistic({ x: Float64Array.of(0, 1, 1, 2, 3, 2), y: [0, 0, 1, 0, 1, 1], n: 6, p: 1 })
 * → { coef: [β₀, β₁], stdErr, iterations, converged: true, logLikelihood }.
 */
import { EwisError } from "../errors.ts";
import { checkProblem, type LogisticFit, type LogisticProblem } from "./logisticProblem.ts";
import { newton } from "./newton.ts";
import { allRows, type RowAccumulator } from "./rowPass.ts";
import { fitFromSample, WARM_START_ROWS } from "./warmStart.ts";

export interface FitLogisticOptions extends LogisticProblem {
  /** Default 100. */
  maxIterations?: number;
  /** Bound on max_j |step_j| / (1 + |β_j|). Default 1e-8. */
  tolerance?: number;
  /** p names, used only to say which features diverge or are collinear. */
  featureNames?: readonly string[];
  /** Start large fits from a subsample's fit (default: from WARM_START_ROWS rows on). */
  warmStart?: boolean;
  /**
   * Runs the passes over all n rows (default `allRows`, on this thread). src/parallel's RowPool
   * offers one that splits the rows across threads; it is synchronous too (the calling thread
   * works on its share and then waits), so fitLogistic stays a plain synchronous function.
   */
  accumulator?: RowAccumulator;
}

const DEFAULT_MAX_ITERATIONS = 100;
const DEFAULT_TOLERANCE = 1e-8;

export function fitLogistic(options: FitLogisticOptions): LogisticFit {
  const warm = options.n >= WARM_START_ROWS && options.warmStart !== false;
  // The warm start sees a non-finite x in its first full pass and gives up; the full check
  // below then names it.
  const prob = checkProblem(options, { finite: !warm });
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const names = options.featureNames;
  const accumulate = options.accumulator ?? allRows;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new EwisError("invalid_argument", `maxIterations must be a whole number ≥ 1 (got ${maxIterations})`);
  }
  if (!(tolerance > 0) || !Number.isFinite(tolerance)) {
    throw new EwisError("invalid_argument", `tolerance must be a finite number > 0 (got ${tolerance})`);
  }
  if (names !== undefined && names.length !== prob.p) {
    throw new EwisError("invalid_argument", `featureNames has ${names.length} names, expected p = ${prob.p}`);
  }
  let positives = 0;
  for (let i = 0; i < prob.n; i++) positives += prob.y[i];
  if (positives === 0 || positives === prob.n) {
    throw new EwisError(
      "insufficient_data",
      `every one of the ${prob.n} outcomes is ${positives === 0 ? 0 : 1}: a risk model needs both outcomes`,
    );
  }

  if (warm) {
    const fast = fitFromSample(prob, tolerance, maxIterations, accumulate);
    if (fast) return fast;
    checkProblem(options);
  }
  return newton(prob, maxIterations, tolerance, names, accumulate).fit;
}
