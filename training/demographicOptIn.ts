import {
  applyScaling,
  auc,
  brierScore,
  buildDesign,
  fitLogistic,
  planFeatures,
  sigmoid,
  standardize,
} from "../src/core/index.ts";
import type { Examples } from "./trainRiskModel.ts";

/**
 * The side-by-side run a state asks for before opting in: the same model refitted with
 * race/ethnicity and gender as inputs (one-hot, White and male as the reference, "unknown"
 * its own column), on the same earlier cohorts, scored on the same held-out cohort.
 * It never becomes a shipped model.
 */
const raceCodes = ["A", "B", "H", "M", "N", "P", "unknown"];
const genderCodes = ["F", "N", "unknown"];

export interface Demographics {
  race: readonly string[];
  gender: readonly string[];
}

export function fitWithDemographics(earlier: Examples, earlierDemo: Demographics, heldOut: Examples, heldOutDemo: Demographics, l2: number) {
  const plan = planFeatures(earlier.indicators, earlier.n);
  const extra = [...raceCodes.map((c) => ["race", c] as const), ...genderCodes.map((c) => ["gender", c] as const)].filter(([kind, code]) =>
    (kind === "race" ? earlierDemo.race : earlierDemo.gender).includes(code),
  );
  const widen = (examples: Examples, demo: Demographics) => {
    const base = buildDesign(plan, examples.indicators, examples.n);
    const p0 = plan.columns.length;
    const p = p0 + extra.length;
    const x = new Float64Array(examples.n * p);
    for (let i = 0; i < examples.n; i++) {
      x.set(base.subarray(i * p0, (i + 1) * p0), i * p);
      extra.forEach(([kind, code], j) => (x[i * p + p0 + j] = (kind === "race" ? demo.race[i] : demo.gender[i]) === code ? 1 : 0));
    }
    return { x, p };
  };
  const train = widen(earlier, earlierDemo);
  const { means, sds } = standardize(train.x, earlier.n, train.p);
  const fit = fitLogistic({ x: applyScaling(train.x, earlier.n, train.p, means, sds), y: earlier.missed, n: earlier.n, p: train.p, l2 });
  const test = widen(heldOut, heldOutDemo);
  const z = applyScaling(test.x, heldOut.n, test.p, means, sds);
  const risks = new Float64Array(heldOut.n);
  for (let i = 0; i < heldOut.n; i++) {
    let logit = fit.coef[0];
    for (let j = 0; j < test.p; j++) logit += fit.coef[j + 1] * z[i * test.p + j];
    risks[i] = sigmoid(logit);
  }
  return { risks, auc: auc(risks, heldOut.missed), brier: brierScore(risks, heldOut.missed) };
}
