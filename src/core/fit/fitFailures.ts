/**
 * Why a fit cannot finish, told so that whoever chose the features can act on it: separation
 * (some rows predicted perfectly while the coefficients grow without bound, so no finite
 * maximum-likelihood estimate exists) and a singular design (a column the others determine).
 * Both errors name the features to drop or coarsen; the detection rule for separation sits
 * with its message so the two cannot drift apart.
 */
import { EwisError } from "../errors.ts";
import type { CheckedProblem } from "./logisticProblem.ts";
import { maxAbs } from "./newtonStep.ts";
import { SATURATION } from "./rowPass.ts";

/** Consecutive non-shrinking steps (with saturated rows) that count as divergence. */
export const DIVERGENCE_RUN = 5;

/**
 * Separation shows as a run of Newton steps that stop shrinking while some rows sit at
 * probability 0 or 1 and the coefficients grow: along a separating direction the likelihood
 * keeps rising forever, and Newton's step tends to a constant. Near a finite optimum the steps
 * shrink quadratically instead, so such a run does not happen there.
 */
export function isDiverging(saturated: number, grew: boolean, stepNorm: number, previousStepNorm: number): boolean {
  return saturated > 0 && grew && stepNorm > 0.5 * previousStepNorm;
}

function featureName(names: readonly string[] | undefined, j: number): string {
  return names?.[j] ?? `column ${j}`;
}

/**
 * Features whose coefficients drive the divergence: those whose change in the linear
 * predictor per step (|step_j| · sd(x_j)) is at least a tenth of the largest one. Scaling by
 * the sd makes a feature on a large scale (scaled scores) comparable with a 0/1 flag.
 */
function divergingFeatures(prob: CheckedProblem, step: Float64Array, names: readonly string[] | undefined): string[] {
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

export function separationError(
  prob: CheckedProblem,
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

/** `column` is H's first failing column as `factor` reports it: 0 is the intercept. */
export function singularDesignError(column: number, names: readonly string[] | undefined): EwisError {
  const what = column === 0 ? "the intercept" : `"${featureName(names, column - 1)}"`;
  return new EwisError(
    "singular",
    `the design is singular: ${what} is constant or a linear combination of the columns before it ` +
      `(for example a duplicated feature or one-hot columns that sum to 1), so its coefficient is not identifiable. ` +
      `Drop the redundant column.`,
  );
}
