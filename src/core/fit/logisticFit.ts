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
 * replace all but one of the O(n·p²) passes (see fitFromSample). The passes go through
 * `options.accumulator` when given (src/parallel spreads them over threads); the fit itself
 * stays synchronous either way.
 *
 * Throws EwisError with code
 *   - "invalid_argument"  bad shapes, n = 0, non-finite x, y not 0/1, bad options;
 *   - "insufficient_data" y has only one class (the intercept alone would diverge);
 *   - "separation"        (α = 0 only) the outcome is (quasi-)completely separated: some rows
 *                         are predicted perfectly while the coefficients keep growing, so no
 *                         finite maximum-likelihood estimate exists (see `isDiverging`);
 *   - "singular"          H is not numerically positive definite without separation, e.g. a
 *                         duplicated, constant or linearly dependent column;
 *   - "not_converged"     no convergence within maxIterations.
 *
 * Algorithm: McCullagh & Nelder, Generalized Linear Models (2nd ed., 1989), §2.5 and §4.4;
 * the same Newton iteration as statsmodels' `Logit.fit(method="newton")`, whose numbers the
 * golden test pins (fixtures/oracle).
 *
 * Example: fitLogistic({ x: Float64Array.of(0, 1, 1, 2, 3, 2), y: [0, 0, 1, 0, 1, 1], n: 6, p: 1 })
 * → { coef: [β₀, β₁], stdErr, iterations, converged: true, logLikelihood }.
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { EwisError } from "../errors.ts";
import { allRows, mirrorUpper, SATURATION, type RowAccumulator, type RowData, type RowSums } from "./rowPass.ts";
import { logLossFromLogit } from "./sigmoid.ts";

export type { RowAccumulator, RowData, RowSums };
export { allRows, sumRows } from "./rowPass.ts";

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

const DEFAULT_MAX_ITERATIONS = 100;
const DEFAULT_TOLERANCE = 1e-8;
/** A Cholesky pivot below this fraction of its diagonal entry means a dependent column. */
const PIVOT_RATIO = 1e-10;
/** Consecutive non-shrinking steps (with saturated rows) that count as divergence. */
const DIVERGENCE_RUN = 5;
const MAX_HALVINGS = 40;

interface Checked {
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

function check(problem: LogisticProblem): Checked {
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
  if (!allFinite(x)) {
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

function logLikelihoodOf(prob: Checked, beta: Float64Array): number {
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

function penaltyOf(l2: number, beta: Float64Array): number {
  let s = 0;
  for (let j = 1; j < beta.length; j++) s += beta[j] * beta[j];
  return 0.5 * l2 * s;
}

function checkBeta(prob: Checked, beta: ArrayLike<number>): Float64Array {
  if (beta.length !== prob.p + 1) {
    throw new EwisError("invalid_argument", `beta has ${beta.length} values, expected p + 1 = ${prob.p + 1}`);
  }
  return Float64Array.from(beta);
}

/** ℓ_α(β) = ℓ(β) - (α/2) Σ_{j≥1} β_j². O(n·p). */
export function penalizedLogLikelihood(problem: LogisticProblem, beta: ArrayLike<number>): number {
  const prob = check(problem);
  const b = checkBeta(prob, beta);
  return logLikelihoodOf(prob, b) - penaltyOf(prob.l2, b);
}

/** ∇ℓ_α(β) = X̃ᵀ(y - μ) - α·(0, β₁…β_p), length p + 1; the gradient the fit uses. O(n·p). */
export function penalizedGradient(problem: LogisticProblem, beta: ArrayLike<number>): Float64Array {
  const prob = check(problem);
  const b = checkBeta(prob, beta);
  const grad = new Float64Array(prob.p + 1);
  allRows(prob, b, grad, null);
  for (let j = 1; j < grad.length; j++) grad[j] -= prob.l2 * b[j];
  return grad;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let j = 0; j < v.length; j++) m = Math.max(m, Math.abs(v[j]));
  return m;
}

function sumOfSquares(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return s;
}

function featureName(names: readonly string[] | undefined, j: number): string {
  return names?.[j] ?? `column ${j}`;
}

/**
 * Features whose coefficients drive the divergence: those whose change in the linear
 * predictor per step (|step_j| · sd(x_j)) is at least a tenth of the largest one. Scaling by
 * the sd makes a feature on a large scale (scaled scores) comparable with a 0/1 flag.
 */
function divergingFeatures(prob: Checked, step: Float64Array, names: readonly string[] | undefined): string[] {
  const { x, n, p } = prob;
  const moved = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * p + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * p + j] - mean) ** 2;
    moved[j] = Math.abs(step[j + 1]) * Math.sqrt(ss / n);
  }
  const top = maxAbs(moved);
  const out: string[] = [];
  if (top === 0) return out;
  for (let j = 0; j < p; j++) if (moved[j] >= 0.1 * top) out.push(featureName(names, j));
  return out;
}

function separationError(
  prob: Checked,
  saturated: number,
  iterations: number,
  step: Float64Array | null,
  names: readonly string[] | undefined,
): EwisError {
  const features = step ? divergingFeatures(prob, step, names) : [];
  const which = features.length > 0 ? features.map((f) => `"${f}"`).join(", ") : "some features";
  return new EwisError(
    "separation",
    `the features separate the outcome: after ${iterations} iterations ${saturated} of ${prob.n} rows are ` +
      `predicted perfectly (probability within ${SATURATION} of the outcome) and the coefficients of ` +
      `${which} keep growing, so there is no finite maximum-likelihood fit. ` +
      `Drop or coarsen ${features.length === 1 ? "that feature" : "those features"}, add data, or fit with an L2 penalty (l2 > 0).`,
  );
}
/** From this many rows on, a fit starts from a subsample's solution. */
export const WARM_START_ROWS = 200_000;
const SAMPLE_ROWS = 50_000;
const MAX_CHORD_STEPS = 50;

/** grad -= α·(0, β₁…β_p) and, when given, H += α·diag(0, 1…1); then mirrors H's upper triangle. */
function penalise(l2: number, beta: Float64Array, grad: Float64Array, hess: Float64Array | null): void {
  const k = beta.length;
  for (let j = 1; j < k; j++) {
    grad[j] -= l2 * beta[j];
    if (hess) hess[j * k + j] += l2;
  }
  if (hess) mirrorUpper(hess, k);
}

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
function fitFromSample(prob: Checked, tolerance: number, maxIterations: number, accumulate: RowAccumulator): LogisticFit | undefined {
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
        const newton = Float64Array.from({ length: k }, (_, j) => newtonSolved.get(j, 0));
        const done = newton.every((d, j) => Math.abs(d) <= tolerance * (1 + Math.abs(trial[j])));
        coef = done ? Float64Array.from(trial, (b, j) => b + newton[j]) : undefined;
      }
      if (coef) {
        const inverse = cho.solve(Matrix.eye(k));
        const stdErr = Float64Array.from({ length: k }, (_, j) => Math.sqrt(inverse.get(j, j)));
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

/**
 * Factors H and checks it is numerically positive definite: every Cholesky pivot must keep at
 * least PIVOT_RATIO of its diagonal entry, i.e. no column is (nearly) a combination of earlier
 * ones in the W-weighted metric. Returns the factor or the index of the first failing column.
 */
function factor(hess: Float64Array, k: number): CholeskyDecomposition | number {
  const cho = new CholeskyDecomposition(Matrix.from1DArray(k, k, hess));
  const L = cho.lowerTriangularMatrix;
  for (let j = 0; j < k; j++) {
    const d = L.get(j, j);
    if (!(hess[j * k + j] > 0) || !(d * d >= PIVOT_RATIO * hess[j * k + j])) return j;
  }
  return cho.isPositiveDefinite() ? cho : k - 1;
}

/**
 * Separation shows as a run of Newton steps that stop shrinking while some rows sit at
 * probability 0 or 1 and the coefficients grow: along a separating direction the likelihood
 * keeps rising forever, and Newton's step tends to a constant. Near a finite optimum the steps
 * shrink quadratically instead, so such a run does not happen there.
 */
function isDiverging(saturated: number, grew: boolean, stepNorm: number, previousStepNorm: number): boolean {
  return saturated > 0 && grew && stepNorm > 0.5 * previousStepNorm;
}

export function fitLogistic(options: FitLogisticOptions): LogisticFit {
  const prob = check(options);
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

  if (prob.n >= WARM_START_ROWS && options.warmStart !== false) {
    const fast = fitFromSample(prob, tolerance, maxIterations, accumulate);
    if (fast) return fast;
  }
  return newton(prob, maxIterations, tolerance, names, accumulate).fit;
}

interface Newton {
  fit: LogisticFit;
  /** The penalised, mirrored H of the last iteration (taken at the last β before the final step). */
  hessian: Float64Array;
}

/**
 * Newton from zero. Each step's trial point is evaluated with a full pass (gradient, Hessian
 * and log-likelihood together): it is accepted at full length almost always, and then that
 * pass is the next iteration's, so an iteration reads the rows once. Only halved trials use a
 * log-likelihood-only pass, and the accepted one is then accumulated afresh.
 */
function newton(
  prob: Checked,
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
      const what = cho === 0 ? "the intercept" : `"${featureName(names, cho - 1)}"`;
      throw new EwisError(
        "singular",
        `the design is singular: ${what} is constant or a linear combination of the columns before it ` +
          `(for example a duplicated feature or one-hot columns that sum to 1), so its coefficient is not identifiable. ` +
          `Drop the redundant column.`,
      );
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
      const inverse = cho.solve(Matrix.eye(k));
      const stdErr = new Float64Array(k);
      for (let j = 0; j < k; j++) stdErr[j] = Math.sqrt(inverse.get(j, j));
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
