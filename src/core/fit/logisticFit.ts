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
 * allocation per row. Typically 5–8 iterations.
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
import { logLossFromLogit, sigmoid } from "./sigmoid.ts";

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
/** A row is "predicted perfectly" when its fitted probability is this close to its outcome. */
const SATURATION = 1e-10;
/** A Cholesky pivot below this fraction of its diagonal entry means a dependent column. */
const PIVOT_RATIO = 1e-10;
/** Consecutive non-shrinking steps (with saturated rows) that count as divergence. */
const DIVERGENCE_RUN = 5;
const MAX_HALVINGS = 40;

interface Checked {
  x: Float64Array;
  y: ArrayLike<number>;
  n: number;
  p: number;
  l2: number;
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
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      const row = Math.floor(i / p);
      throw new EwisError("invalid_argument", `x at row ${row}, column ${i - row * p} is ${x[i]}: features must be finite`);
    }
  }
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new EwisError("invalid_argument", `y at row ${i} is ${y[i]}: outcomes must be 0 or 1`);
    }
  }
  return { x, y, n, p, l2 };
}

/**
 * Writes X̃ᵀ(y - μ) into grad and, when hess is given, the full symmetric X̃ᵀWX̃ into hess
 * (k×k row-major). Returns how many rows are predicted perfectly (|y - μ| < SATURATION).
 * The penalty is not included.
 */
const ROW_BLOCK = 4;

/**
 * Adds Σ w_i·x̃_i·x̃_iᵀ (x̃ = [1, x]) over up to four rows to the upper triangle of `hess`.
 * Four rows per pass read and write each Hessian entry once instead of four times: the
 * Hessian is the O(n·p²) part of a fit, and its memory traffic, not the arithmetic, bounds it.
 */
function addRowsToHessian(x: Float64Array, p: number, k: number, hess: Float64Array, w: Float64Array, rows: Int32Array, count: number): void {
  if (count < ROW_BLOCK) {
    for (let r = 0; r < count; r++) {
      const off = rows[r];
      const wr = w[r];
      hess[0] += wr;
      for (let a = 0; a < p; a++) {
        const wa = wr * x[off + a];
        hess[a + 1] += wa;
        const rowA = (a + 1) * k + 1;
        for (let b = a; b < p; b++) hess[rowA + b] += wa * x[off + b];
      }
    }
    return;
  }
  const o0 = rows[0], o1 = rows[1], o2 = rows[2], o3 = rows[3];
  const w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
  hess[0] += w0 + w1 + w2 + w3;
  for (let a = 0; a < p; a++) {
    const a0 = w0 * x[o0 + a], a1 = w1 * x[o1 + a], a2 = w2 * x[o2 + a], a3 = w3 * x[o3 + a];
    hess[a + 1] += a0 + a1 + a2 + a3;
    const rowA = (a + 1) * k + 1;
    for (let b = a; b < p; b++) hess[rowA + b] += a0 * x[o0 + b] + a1 * x[o1 + b] + a2 * x[o2 + b] + a3 * x[o3 + b];
  }
}

function accumulate(
  prob: Checked,
  beta: Float64Array,
  grad: Float64Array,
  hess: Float64Array | null,
): number {
  const { x, y, n, p } = prob;
  const k = p + 1;
  grad.fill(0);
  hess?.fill(0);
  let saturated = 0;
  const weights = new Float64Array(ROW_BLOCK);
  const rows = new Int32Array(ROW_BLOCK);
  let pending = 0;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    let eta = beta[0];
    for (let j = 0; j < p; j++) eta += beta[j + 1] * x[off + j];
    const mu = sigmoid(eta);
    // 1 - μ from σ(-η): 1 - μ rounds to 0 once η > 37, which would zero the gradient of a
    // separated row and make a diverging fit look converged.
    const oneMinusMu = sigmoid(-eta);
    const r = y[i] === 1 ? oneMinusMu : -mu;
    if ((y[i] === 1 ? oneMinusMu : mu) < SATURATION) saturated++;
    grad[0] += r;
    for (let j = 0; j < p; j++) grad[j + 1] += r * x[off + j];
    if (hess) {
      const w = mu * oneMinusMu;
      weights[pending] = w;
      rows[pending++] = off;
      if (pending === ROW_BLOCK) {
        addRowsToHessian(x, p, k, hess, weights, rows, pending);
        pending = 0;
      }
    }
  }
  if (hess && pending > 0) addRowsToHessian(x, p, k, hess, weights, rows, pending);
  if (hess) {
    // Mirror exactly: ml-matrix's Cholesky rejects a matrix that is not bitwise symmetric.
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) hess[b * k + a] = hess[a * k + b];
    }
  }
  return saturated;
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
  accumulate(prob, b, grad, null);
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

/**
 * Factors H and checks it is numerically positive definite: every Cholesky pivot must keep at
 * least PIVOT_RATIO of its diagonal entry, i.e. no column is (nearly) a combination of earlier
 * ones in the W-weighted metric. Returns the factor or the index of the first failing column.
 */
/** From this many rows on, a fit starts from a subsample's solution. */
export const WARM_START_ROWS = 200_000;
const SAMPLE_ROWS = 50_000;
const MAX_CHORD_STEPS = 50;

/**
 * A large fit, fast: a Newton fit on an evenly spaced subsample (penalty scaled to its size)
 * lands within sampling error of the optimum; from there, chord steps converge linearly at a
 * rate about that sampling error: the subsample's Hessian scaled to n stands in for the full
 * one, and only the gradient is recomputed on all rows (O(n·p) instead of O(n·p²)). One full
 * Hessian at the optimum then gives the standard errors. The same tolerance as plain Newton, so the same optimum. Returns undefined, and the
 * caller fits from zero, whenever anything is unusual: a one-class or separated subsample, an
 * indefinite Hessian, a step that does not improve, or slow convergence; the plain path then
 * does the diagnosing.
 */
function fitFromSample(prob: Checked, tolerance: number, maxIterations: number): LogisticFit | undefined {
  const { n, p, l2, x, y } = prob;
  const k = p + 1;
  const every = Math.ceil(n / SAMPLE_ROWS);
  const ns = Math.ceil(n / every);
  const sx = new Float64Array(ns * p);
  const sy = new Float64Array(ns);
  for (let s = 0, i = 0; i < n; i += every, s++) {
    sx.set(x.subarray(i * p, (i + 1) * p), s * p);
    sy[s] = y[i];
  }
  let beta: Float64Array;
  try {
    beta = fitLogistic({ x: sx, y: sy, n: ns, p, l2: (l2 * ns) / n, maxIterations, tolerance: 1e-6, warmStart: false }).coef;
  } catch {
    return undefined;
  }
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  const penalise = (withHessian: boolean) => {
    for (let j = 1; j < k; j++) {
      grad[j] -= l2 * beta[j];
      if (withHessian) hess[j * k + j] += l2;
    }
  };
  accumulate({ x: sx, y: sy, n: ns, p, l2 }, beta, grad, hess);
  for (let j = 0; j < k * k; j++) hess[j] *= n / ns;
  if (accumulate(prob, beta, grad, null) > 0 && l2 === 0) return undefined;
  penalise(true);
  const chord = factor(hess, k);
  if (typeof chord === "number") return undefined;
  let objective = logLikelihoodOf(prob, beta) - penaltyOf(l2, beta);
  let previous = Infinity;
  for (let iteration = 1; iteration <= MAX_CHORD_STEPS; iteration++) {
    const solved = chord.solve(Matrix.columnVector(grad));
    const step = Float64Array.from({ length: k }, (_, j) => solved.get(j, 0));
    let small = true;
    for (let j = 0; j < k; j++) {
      if (!Number.isFinite(step[j])) return undefined;
      if (Math.abs(step[j]) > tolerance * (1 + Math.abs(beta[j]))) small = false;
    }
    const trial = Float64Array.from(beta, (b, j) => b + step[j]);
    if (small) {
      accumulate(prob, trial, grad, hess);
      beta = trial;
      penalise(true);
      const atOptimum = factor(hess, k);
      if (typeof atOptimum === "number") return undefined;
      const inverse = atOptimum.solve(Matrix.eye(k));
      const stdErr = Float64Array.from({ length: k }, (_, j) => Math.sqrt(inverse.get(j, j)));
      return { coef: beta, stdErr, iterations: iteration, converged: true, logLikelihood: logLikelihoodOf(prob, beta) };
    }
    const trialObjective = logLikelihoodOf(prob, trial) - penaltyOf(l2, trial);
    const size = maxAbs(step);
    if (trialObjective < objective - 1e-12 * (1 + Math.abs(objective)) || size > 0.5 * previous) return undefined;
    previous = size;
    objective = trialObjective;
    beta = trial;
    accumulate(prob, beta, grad, null);
    penalise(false);
  }
  return undefined;
}

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
    const fast = fitFromSample(prob, tolerance, maxIterations);
    if (fast) return fast;
  }

  const { p, l2 } = prob;
  const k = p + 1;
  let beta = new Float64Array(k);
  let trial = new Float64Array(k);
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  const step = new Float64Array(k);
  let objective = logLikelihoodOf(prob, beta) - penaltyOf(l2, beta);
  let previousStepNorm = Infinity;
  let divergingRun = 0;
  let saturated = 0;
  let lastStep: Float64Array | null = null;

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    saturated = accumulate(prob, beta, grad, hess);
    for (let j = 1; j < k; j++) {
      grad[j] -= l2 * beta[j];
      hess[j * k + j] += l2;
    }

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
      return { coef: beta, stdErr, iterations: iteration, converged: true, logLikelihood: logLikelihoodOf(prob, beta) };
    }

    let t = 1;
    let accepted = false;
    let trialObjective = objective;
    for (let halving = 0; halving <= MAX_HALVINGS; halving++, t *= 0.5) {
      for (let j = 0; j < k; j++) trial[j] = beta[j] + t * step[j];
      trialObjective = logLikelihoodOf(prob, trial) - penaltyOf(l2, trial);
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
