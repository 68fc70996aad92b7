import { EwisError } from "../errors.ts";
import { sigmoid } from "./sigmoid.ts";

/**
 * Logistic recalibration of an existing model on a new population (Cox 1958; Platt scaling):
 * P(missed) = σ(a + b·L) with L the base model's log-odds, fitted by Newton's method on
 *
 *   −Σ log-likelihood + (l2 / 2)·(a² + (b − 1)²),
 *
 * so that with few examples the result stays near the base model (a = 0, b = 1) and with many
 * it is calibrated to them. Two parameters: the Hessian is 2 × 2 and solved in closed form.
 * Cost O(n) per iteration. Throws `insufficient_data` when `y` holds only one outcome.
 *
 * @example recalibrate(Float64Array.of(-1, 0, 1, 2), Uint8Array.of(0, 0, 1, 1), 1) // { shift ≈ −0.283, slope ≈ 1.498, converged: true, … }
 */
export interface Recalibration {
  shift: number;
  slope: number;
  iterations: number;
  converged: boolean;
  logLikelihood: number;
}

/** The penalised negative log-likelihood at (a, b); log σ(z) written to stay finite for large |z|. */
function objective(logits: Float64Array, y: Uint8Array, l2: number, a: number, b: number): number {
  let f = (l2 / 2) * (a * a + (b - 1) * (b - 1));
  for (let i = 0; i < logits.length; i++) {
    const z = a + b * logits[i];
    const softplus = Math.log1p(Math.exp(-Math.abs(z)));
    // −log σ(z) = max(0, −z) + log(1 + e^−|z|); −log(1 − σ(z)) = max(0, z) + the same.
    f += y[i] ? Math.max(0, -z) + softplus : Math.max(0, z) + softplus;
  }
  return f;
}

export function recalibrate(logits: Float64Array, y: Uint8Array, l2: number, maxIterations = 50, tolerance = 1e-10): Recalibration {
  const n = logits.length;
  let ones = 0;
  for (let i = 0; i < n; i++) ones += y[i];
  if (n === 0 || ones === 0 || ones === n) {
    throw new EwisError("insufficient_data", `recalibration needs both outcomes among its examples; got ${ones} missed of ${n}`);
  }
  let a = 0;
  let b = 1;
  let converged = false;
  let iterations = 0;
  let current = objective(logits, y, l2, a, b);
  for (; iterations < maxIterations && !converged; iterations++) {
    // Gradient of the penalised negative log-likelihood, and its Hessian.
    let ga = l2 * a, gb = l2 * (b - 1), haa = l2, hab = 0, hbb = l2;
    for (let i = 0; i < n; i++) {
      const l = logits[i];
      const p = sigmoid(a + b * l);
      const r = p - y[i];
      const w = p * (1 - p);
      ga += r;
      gb += r * l;
      haa += w;
      hab += w * l;
      hbb += w * l * l;
    }
    const det = haa * hbb - hab * hab;
    let da = (hbb * ga - hab * gb) / det;
    let db = (haa * gb - hab * ga) / det;
    // A base model far off for these students puts them where σ is flat: a full step can
    // overshoot. Halve it until the objective does not rise (it is convex, so one exists).
    let next = objective(logits, y, l2, a - da, b - db);
    for (let halvings = 0; next > current && halvings < 40; halvings++) {
      da /= 2;
      db /= 2;
      next = objective(logits, y, l2, a - da, b - db);
    }
    a -= da;
    b -= db;
    converged = Math.abs(da) + Math.abs(db) < tolerance || current - next <= tolerance * (1 + Math.abs(next)) * 1e-6;
    current = next;
  }
  const logLikelihood = -(current - (l2 / 2) * (a * a + (b - 1) * (b - 1)));
  return { shift: a, slope: b, iterations, converged, logLikelihood };
}
