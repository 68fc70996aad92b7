import { describe, expect, it } from "vitest";
import { fitLogistic, recalibrate, sigmoid } from "../../../src/core/index.ts";
import { Random } from "../../../fixtures/synthetic/random.ts";

/** A base model's log-odds and outcomes drawn from σ(shift + slope·L): a miscalibrated base. */
function sample(n: number, shift: number, slope: number, seed: number) {
  const rng = new Random(seed);
  const logits = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    logits[i] = 2 * rng.normal();
    y[i] = rng.chance(sigmoid(shift + slope * logits[i])) ? 1 : 0;
  }
  return { logits, y };
}

describe("recalibrate", () => {
  it("without a penalty, is the logistic regression of the outcome on the base log-odds (the full Newton fit agrees)", () => {
    const { logits, y } = sample(2000, 0.7, 0.6, 11);
    const ours = recalibrate(logits, y, 0);
    const full = fitLogistic({ x: logits, y, n: logits.length, p: 1, l2: 0 });
    expect(ours.converged).toBe(true);
    expect(ours.shift).toBeCloseTo(full.coef[0], 8);
    expect(ours.slope).toBeCloseTo(full.coef[1], 8);
    expect(ours.logLikelihood).toBeCloseTo(full.logLikelihood, 6);
    // And recovers the miscalibration it was drawn with.
    expect(ours.shift).toBeGreaterThan(0.5);
    expect(ours.slope).toBeLessThan(0.75);
  });

  it("with a penalty, stops where the penalised gradient is zero (checked by finite differences)", () => {
    const { logits, y } = sample(60, 1, 0.5, 3);
    const l2 = 1;
    const { shift, slope } = recalibrate(logits, y, l2);
    const objective = (a: number, b: number) => {
      let f = (l2 / 2) * (a * a + (b - 1) * (b - 1));
      for (let i = 0; i < logits.length; i++) {
        const p = sigmoid(a + b * logits[i]);
        f -= y[i] ? Math.log(p) : Math.log(1 - p);
      }
      return f;
    };
    const h = 1e-6;
    expect((objective(shift + h, slope) - objective(shift - h, slope)) / (2 * h)).toBeCloseTo(0, 5);
    expect((objective(shift, slope + h) - objective(shift, slope - h)) / (2 * h)).toBeCloseTo(0, 5);
  });

  it("stays near the base model with few examples and moves to the data with many", () => {
    const few = sample(20, 1.5, 0.4, 5);
    const many = sample(20000, 1.5, 0.4, 5);
    const a = recalibrate(few.logits, few.y, 1);
    const b = recalibrate(many.logits, many.y, 1);
    expect(Math.abs(a.shift - 1.5)).toBeGreaterThan(Math.abs(b.shift - 1.5));
    expect(b.shift).toBeCloseTo(1.5, 1);
    expect(b.slope).toBeCloseTo(0.4, 1);
  });

  it("refuses examples with only one outcome, saying how many it had", () => {
    expect(() => recalibrate(Float64Array.of(0, 1, 2), Uint8Array.of(1, 1, 1), 1)).toThrow("recalibration needs both outcomes among its examples; got 3 missed of 3");
    expect(() => recalibrate(new Float64Array(0), new Uint8Array(0), 1)).toThrow(expect.objectContaining({ code: "insufficient_data" }));
  });
});
