import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { auc } from "../../../src/core/metrics.ts";
import { abcFlag, freshmanOffTrack, freshmanOnTrack } from "../../../src/core/evaluation/baselines.ts";
import { bootstrapAuc, mulberry32, weightedAucOf } from "../../../src/core/evaluation/bootstrap.ts";
import { DEFAULT_TOLERANCES, subgroupEvaluation } from "../../../src/core/evaluation/equity.ts";
import { cutPointPerformance, flagPerformance } from "../../../src/core/evaluation/flagPerformance.ts";
import { rocCurve, tprAtFpr } from "../../../src/core/evaluation/roc.ts";
import { caught } from "../../support/caught.ts";
import { career } from "../../support/studentRows.ts";

const oracle = JSON.parse(readFileSync(new URL("../../../fixtures/oracle/expected.json", import.meta.url), "utf8")) as {
  cases: { auc_ties: { scores: number[]; labels: number[]; auc: number } };
};

/** Area under a polyline by trapezoids. */
function trapezoid(xs: number[], ys: number[]): number {
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1])) / 2;
  return area;
}

describe("rocCurve", () => {
  it("takes tied risks as one step", () => {
    // 0.9 flags a miss; 0.5 flags a miss and a reach together (one diagonal step); 0.1 the last reach.
    expect(rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toEqual({
      falsePositiveRate: [0, 0, 0.5, 1],
      truePositiveRate: [0, 0.5, 1, 1],
    });
  });

  it("gives the oracle's tie case by hand, and its area is the AUC", () => {
    const { scores, labels, auc: expected } = oracle.cases.auc_ties;
    const curve = rocCurve(scores, labels);
    expect(curve).toEqual({
      falsePositiveRate: [0, 0, 0.25, 0.5, 0.75, 1],
      truePositiveRate: [0, 0.25, 0.5, 1, 1, 1],
    });
    expect(trapezoid(curve.falsePositiveRate, curve.truePositiveRate)).toBe(expected);
  });

  it("downsamples to maxPoints, keeping the endpoints and a monotone curve", () => {
    const random = mulberry32(7);
    const risks = Array.from({ length: 1000 }, () => random());
    const missed = risks.map((r) => (random() < r ? 1 : 0));
    const full = rocCurve(risks, missed, 10_000);
    expect(full.falsePositiveRate).toHaveLength(1001);
    const curve = rocCurve(risks, missed, 200);
    const { falsePositiveRate: x, truePositiveRate: y } = curve;
    expect(x).toHaveLength(200);
    expect([x[0], y[0], x.at(-1), y.at(-1)]).toEqual([0, 0, 1, 1]);
    for (let i = 1; i < x.length; i++) {
      expect(x[i]).toBeGreaterThanOrEqual(x[i - 1]);
      expect(y[i]).toBeGreaterThanOrEqual(y[i - 1]);
    }
    expect(trapezoid(x, y)).toBeCloseTo(auc(risks, missed), 2);
  });

  it("is empty when only one outcome is present, and checks its input", () => {
    expect(rocCurve([0.2, 0.3], [1, 1])).toEqual({ falsePositiveRate: [], truePositiveRate: [] });
    expect(caught(() => rocCurve([0.2], [2]))).toMatchObject({ code: "invalid_argument" });
    expect(caught(() => rocCurve([0.2, 0.4], [0, 1], 1))).toMatchObject({ code: "invalid_argument" });
  });
});

describe("tprAtFpr", () => {
  const curve = { falsePositiveRate: [0, 0, 0.5, 1], truePositiveRate: [0, 0.5, 1, 1] };

  it("interpolates linearly and takes the top of a vertical step", () => {
    expect(tprAtFpr(curve, 0)).toBe(0.5);
    expect(tprAtFpr(curve, 0.25)).toBe(0.75);
    expect(tprAtFpr(curve, 0.5)).toBe(1);
    expect(tprAtFpr(curve, 0.75)).toBe(1);
    expect(tprAtFpr(curve, 1)).toBe(1);
  });

  it("is NaN for an empty curve", () => {
    expect(tprAtFpr({ falsePositiveRate: [], truePositiveRate: [] }, 0.3)).toBeNaN();
  });
});

describe("flagPerformance", () => {
  it("computes a 2×2 by hand: TP 2, FP 1, FN 1, TN 6", () => {
    const flagged = [true, true, true, false, false, false, false, false, false, false];
    const missed = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];
    const p = flagPerformance(flagged, missed);
    expect(p).toEqual({
      recall: 2 / 3,
      specificity: 6 / 7,
      precision: 2 / 3,
      falsePositiveRate: 1 / 7,
      falseNegativeRate: 1 / 3,
      flaggedShare: 0.3,
      flagged: 3,
      n: 10,
    });
    expect(flagPerformance(flagged.map(Number), missed)).toEqual(p);
  });

  it("gives NaN where a denominator is 0", () => {
    const p = flagPerformance([0, 0], [1, 0]);
    expect(p.precision).toBeNaN();
    expect(p.recall).toBe(0);
    expect(flagPerformance([], []).flaggedShare).toBeNaN();
  });

  it("rejects a flag that is not boolean, 0 or 1", () => {
    expect(caught(() => flagPerformance([2], [1]))).toMatchObject({ code: "invalid_argument" });
  });
});

describe("cutPointPerformance", () => {
  it("flags moderate-or-high at the first cut and high at the second", () => {
    const risks = [0.1, 0.3, 0.6, 0.7, 0.25];
    const missed = [0, 1, 1, 0, 0];
    const [moderate, high] = cutPointPerformance(risks, missed, [0.2, 0.5]);
    // ≥ 0.2: rows 1–4 → TP 2, FP 2, FN 0, TN 1.
    expect(moderate).toMatchObject({ tier: "moderate", cut: 0.2, recall: 1, specificity: 1 / 3, precision: 0.5, flagged: 4, flaggedShare: 0.8 });
    // ≥ 0.5: rows 2, 3 → TP 1, FP 1, FN 1, TN 2.
    expect(high).toMatchObject({ tier: "high", cut: 0.5, recall: 0.5, specificity: 2 / 3, precision: 0.5, flagged: 2, falseNegativeRate: 0.5 });
  });
});

describe("bootstrapAuc", () => {
  const { scores, labels, auc: expected } = oracle.cases.auc_ties;

  it("estimates the oracle's AUC on the full sample, inside its interval", () => {
    const interval = bootstrapAuc(scores, labels, { seed: 1 });
    expect(interval.estimate).toBe(expected);
    expect(interval.low).toBeLessThanOrEqual(interval.estimate);
    expect(interval.high).toBeGreaterThanOrEqual(interval.estimate);
    expect(interval.low).toBeGreaterThanOrEqual(0);
    expect(interval.high).toBeLessThanOrEqual(1);
  });

  it("is deterministic in its seed", () => {
    expect(bootstrapAuc(scores, labels, { seed: 42 })).toEqual(bootstrapAuc(scores, labels, { seed: 42 }));
    expect(bootstrapAuc(scores, labels, { seed: 42 })).not.toEqual(bootstrapAuc(scores, labels, { seed: 43 }));
  });

  it("computes a resample's AUC from counts as auc does on the repeated rows", () => {
    const weights = [0, 2, 1, 0, 3, 1, 1, 2];
    const risks: number[] = [];
    const missed: number[] = [];
    weights.forEach((w, i) => {
      for (let k = 0; k < w; k++) {
        risks.push(scores[i]);
        missed.push(labels[i]);
      }
    });
    expect(weightedAucOf(scores, labels)(weights)).toBe(auc(risks, missed));
    expect(weightedAucOf(scores, labels)([1, 1, 0, 0, 0, 0, 1, 0])).toBeNaN();
  });

  it("runs 1000 replicates on 20 000 students in well under a few seconds", () => {
    const random = mulberry32(3);
    const risks = Float64Array.from({ length: 20_000 }, () => Math.round(random() * 100) / 100);
    const missed = Uint8Array.from(risks, (r) => (random() < r ? 1 : 0));
    const started = performance.now();
    const interval = bootstrapAuc(risks, missed, { seed: 5, replicates: 1000 });
    expect(performance.now() - started).toBeLessThan(4000);
    expect(interval.high - interval.low).toBeGreaterThan(0);
    expect(interval.high - interval.low).toBeLessThan(0.05);
  }, 20_000);

  it("returns NaN bounds when one outcome only is present", () => {
    expect(bootstrapAuc([0.1, 0.2], [0, 0], { seed: 1 })).toEqual({ estimate: NaN, low: NaN, high: NaN });
  });
});

describe("subgroupEvaluation", () => {
  // Groups A and B: 100 students each, 20 miss (risk 0.8). A's reaches: 40 at 0.7 (flagged
  // at 0.5) and 40 at 0.1; B's reaches all at 0.1. C: three students, one miss.
  const risks: number[] = [];
  const missed: number[] = [];
  const group: string[] = [];
  const add = (g: string, risk: number, miss: number, count: number) => {
    for (let k = 0; k < count; k++) {
      risks.push(risk);
      missed.push(miss);
      group.push(g);
    }
  };
  add("B", 0.8, 1, 20);
  add("B", 0.1, 0, 80);
  add("C", 0.8, 1, 1);
  add("C", 0.1, 0, 2);
  add("A", 0.8, 1, 20);
  add("A", 0.7, 0, 40);
  add("A", 0.1, 0, 40);
  const other = group.map((_, i) => (i % 2 === 0 ? "even" : "odd"));
  const result = subgroupEvaluation(risks, missed, [{ dimension: "school", values: group }, { dimension: "parity", values: other }], {
    highCut: 0.5,
    minGroupSize: 50,
    tolerances: DEFAULT_TOLERANCES,
  });
  const find = (dimension: string, value: string) => result.find((r) => r.dimension === dimension && r.value === value)!;
  const disparity = (dimension: string, value: string, metric: string) => find(dimension, value).disparities.find((d) => d.metric === metric)!;

  it("orders by the dimensions given, then by value", () => {
    expect(result.map((r) => `${r.dimension}:${r.value}`)).toEqual(["school:A", "school:B", "school:C", "parity:even", "parity:odd"]);
  });

  it("flags a group that is clearly over-flagged", () => {
    const a = find("school", "A");
    expect(a).toMatchObject({ n: 100, missed: 20, tooSmall: false, auc: 1 });
    expect(a.calibrationInTheLarge).toBeCloseTo((20 * 0.8 + 40 * 0.7 + 40 * 0.1) / 100 - 0.2, 12);
    expect(a.highTier).toMatchObject({ falsePositiveRate: 0.5, flagged: 60 });
    // Rest = B and C: 82 reached, none flagged.
    expect(disparity("school", "A", "falsePositiveRate")).toEqual({ metric: "falsePositiveRate", group: 0.5, rest: 0, difference: 0.5, exceeds: true });
    expect(disparity("school", "A", "falseNegativeRate")).toMatchObject({ difference: 0, exceeds: false });
    expect(disparity("school", "A", "auc")).toMatchObject({ group: 1, rest: 1, exceeds: false });
    expect(disparity("school", "B", "falsePositiveRate")).toMatchObject({ group: 0, rest: 40 / 82, exceeds: true });
  });

  it("does not judge a tiny group: nulls and no exceeds", () => {
    const c = find("school", "C");
    expect(c).toMatchObject({ n: 3, missed: 1, tooSmall: true, auc: null, calibrationInTheLarge: null, highTier: null });
    expect(c.disparities).toHaveLength(6);
    for (const d of c.disparities) expect(d).toMatchObject({ group: null, rest: null, difference: null, exceeds: false });
  });
});

describe("baselines", () => {
  // Grades 7, 8 and the scored grade 9 row (index 2).
  const marks = { courses_attempted: "6", courses_failed: "0" };
  const rowsWith = (g7: object, g8: object, g9: object) =>
    career({ year: 2018, grade: 7 }, [
      { ela_scaled: "480", math_scaled: "500", ...marks, ...g7 },
      { ela_scaled: "490", math_scaled: "490", ...marks, ...g8 },
      { days_present: "170", ...g9 },
    ]);

  it("abcFlag: none of A, B or C", () => {
    expect(abcFlag(rowsWith({}, {}, {}), 2)).toBe(false);
  });

  it("abcFlag: attendance below 90 %, or a suspension, this year", () => {
    expect(abcFlag(rowsWith({}, {}, { days_present: "161" }), 2)).toBe(true); // 161/180 = 0.894
    expect(abcFlag(rowsWith({}, {}, { days_present: "162" }), 2)).toBe(false); // exactly 0.9
    expect(abcFlag(rowsWith({}, {}, { iss_count: "1" }), 2)).toBe(true);
    expect(abcFlag(rowsWith({}, {}, { oss_count: "1" }), 2)).toBe(true);
  });

  it("abcFlag: a failed course or a Not Meeting score in the most recent earlier year only", () => {
    expect(abcFlag(rowsWith({}, { courses_failed: "1" }, {}), 2)).toBe(true);
    expect(abcFlag(rowsWith({ courses_failed: "2" }, {}, {}), 2)).toBe(false);
    expect(abcFlag(rowsWith({ courses_failed: "2" }, { courses_attempted: undefined, courses_failed: undefined }, {}), 2)).toBe(true);
    expect(abcFlag(rowsWith({}, { ela_scaled: "469" }, {}), 2)).toBe(true);
    expect(abcFlag(rowsWith({ ela_scaled: "469" }, {}, {}), 2)).toBe(false);
    expect(abcFlag(rowsWith({ math_scaled: "450" }, { math_scaled: undefined }, {}), 2)).toBe(true);
  });

  it("freshmanOnTrack: judged from the grade 9 year with marks, flag = not on track", () => {
    const rows = (g9: object, g10: object = {}) =>
      career({ year: 2019, grade: 8 }, [{ ...marks }, { ...marks, ...g9 }, { ...g10 }]);
    expect(freshmanOnTrack(rows({ courses_failed: "1" }), 2)).toBe(true); // 5 passed, 1 failed
    expect(freshmanOffTrack(rows({ courses_failed: "1" }), 2)).toBe(false);
    expect(freshmanOnTrack(rows({ courses_failed: "2" }), 2)).toBe(false);
    expect(freshmanOnTrack(rows({ courses_attempted: "5", courses_failed: "1" }), 2)).toBe(false); // 4 passed
    expect(freshmanOffTrack(rows({ courses_attempted: "5", courses_failed: "1" }), 2)).toBe(true);
    // No grade 9 marks: the most recent earlier year with marks is grade 8.
    expect(freshmanOnTrack(rows({ courses_attempted: undefined, courses_failed: undefined }), 2)).toBeUndefined();
    expect(freshmanOffTrack(rows({ courses_attempted: undefined, courses_failed: undefined }), 2)).toBeUndefined();
    // Scoring grade 9 itself: its own marks are the outcome, the earlier year is grade 8.
    expect(freshmanOnTrack(rows({}), 1)).toBeUndefined();
  });

  it("never reads the scored row's scores, course marks or exit status", () => {
    const leaked = { ela_scaled: "440", math_scaled: "440", courses_attempted: "6", courses_failed: "6", exit_status: "dropped_out" };
    for (const [g7, g8] of [[{}, {}], [{}, { courses_failed: "1" }]]) {
      expect(abcFlag(rowsWith(g7, g8, leaked), 2)).toBe(abcFlag(rowsWith(g7, g8, {}), 2));
    }
    const ninth = career({ year: 2019, grade: 8 }, [{ ...marks }, { ...marks }, {}]);
    const ninthLeaked = career({ year: 2019, grade: 8 }, [{ ...marks }, { ...marks }, leaked]);
    expect(freshmanOnTrack(ninthLeaked, 2)).toBe(freshmanOnTrack(ninth, 2));
    expect(freshmanOnTrack(ninth, 1)).toBeUndefined();
    expect(freshmanOnTrack(career({ year: 2019, grade: 8 }, [{ ...marks }, leaked]), 1)).toBeUndefined();
  });
});
