import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EwisError } from "../../../src/core/errors.ts";
import { auc, brierScore, calibrationByDecile, logLoss } from "../../../src/core/metrics.ts";
import { caught } from "../../support/caught.ts";

const oracle = JSON.parse(readFileSync(new URL("../../../fixtures/oracle/expected.json", import.meta.url), "utf8")) as {
  cases: { auc_ties: { scores: number[]; labels: number[]; auc: number } };
};


/** P(score of a positive > score of a negative) + ½ P(tie), over all pairs: the definition. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe("auc", () => {
  it("counts ties one half: the oracle's auc_ties case is exactly 0.78125", () => {
    const { scores, labels, auc: expected } = oracle.cases.auc_ties;
    expect(auc(scores, labels)).toBe(expected);
  });

  it("agrees with the pairwise definition on data with many ties", () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const scores = Array.from({ length: 300 }, () => Math.floor(random() * 12) / 12);
    const labels = scores.map((s) => (random() < s ? 1 : 0));
    expect(auc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 14);
    expect(auc(Float64Array.from(scores), Uint8Array.from(labels))).toBe(auc(scores, labels));
  });

  it("is 1 for a perfect ranking, 0 for a reversed one and ½ when all scores tie", () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5], [0, 1, 1])).toBe(0.5);
  });

  it("is NaN, as documented, when only one class is present or the input is empty", () => {
    expect(auc([0.1, 0.5, 0.9], [1, 1, 1])).toBeNaN();
    expect(auc([0.1, 0.5], [0, 0])).toBeNaN();
    expect(auc([], [])).toBeNaN();
  });

  it("rejects mismatched lengths, labels that are not 0/1, and NaN scores", () => {
    expect(caught(() => auc([0.1, 0.2], [0])).code).toBe("invalid_argument");
    expect(caught(() => auc([0.1, 0.2], [0, 2])).code).toBe("invalid_argument");
    expect(caught(() => auc([0.1, NaN], [0, 1])).code).toBe("invalid_argument");
  });
});

describe("brierScore and logLoss", () => {
  it("match hand-computed values", () => {
    const p = [0.1, 0.8, 0.6, 0.3];
    const y = [0, 1, 0, 1];
    expect(brierScore(p, y)).toBeCloseTo((0.01 + 0.04 + 0.36 + 0.49) / 4, 15);
    expect(logLoss(p, y)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.3)) / 4, 15);
  });

  it("logLoss clips a confident miss to a large finite value", () => {
    const loss = logLoss([1, 0], [0, 1]);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(-Math.log(1e-15), 1);
  });

  it("are NaN for an empty input", () => {
    expect(brierScore([], [])).toBeNaN();
    expect(logLoss([], [])).toBeNaN();
  });

  it("reject a probability outside [0, 1]", () => {
    expect(caught(() => brierScore([1.2], [1])).code).toBe("invalid_argument");
    expect(caught(() => logLoss([-0.1], [0])).code).toBe("invalid_argument");
  });
});

describe("calibrationByDecile", () => {
  it("cuts sorted predictions into 10 bins of as-equal-as-possible size", () => {
    const n = 25;
    const p = Array.from({ length: n }, (_, i) => ((i * 7) % n) / n);
    const y = p.map((v) => (v >= 0.5 ? 1 : 0));
    const bins = calibrationByDecile(p, y);
    expect(bins.map((b) => b.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(bins.map((b) => b.n)).toEqual([2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    expect(bins.reduce((s, b) => s + b.n, 0)).toBe(n);
    expect(bins[0].meanPredicted).toBeCloseTo((0 + 1 / 25) / 2, 15);
    expect(bins[0].observedRate).toBe(0);
    expect(bins[9].observedRate).toBe(1);
    for (let b = 1; b < bins.length; b++) expect(bins[b].meanPredicted).toBeGreaterThan(bins[b - 1].meanPredicted);
  });

  it("omits empty bins when there are fewer than 10 rows", () => {
    const bins = calibrationByDecile([0.9, 0.1, 0.5], [1, 0, 1]);
    expect(bins).toEqual([
      { decile: 4, n: 1, meanPredicted: 0.1, observedRate: 0 },
      { decile: 7, n: 1, meanPredicted: 0.5, observedRate: 1 },
      { decile: 10, n: 1, meanPredicted: 0.9, observedRate: 1 },
    ]);
    expect(calibrationByDecile([], [])).toEqual([]);
  });
});
