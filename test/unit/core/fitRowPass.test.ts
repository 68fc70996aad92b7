import { describe, expect, it } from "vitest";
import { allRows, sumRows } from "../../../src/core/fit/rowPass.ts";
import { logLossFromLogit, sigmoid } from "../../../src/core/fit/sigmoid.ts";

/**
 * The pass as the fit computed it before the blocked kernel, one row at a time for the
 * gradient and four-row groups for the Hessian: the kernel must give these sums bit for bit,
 * or models trained on one thread (and the shipped ones) would change in the last digits.
 */
function reference(x: Float64Array, y: Uint8Array, n: number, p: number, beta: Float64Array) {
  const k = p + 1;
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  const w = new Float64Array(n);
  let logLikelihood = 0;
  let saturated = 0;
  for (let i = 0; i < n; i++) {
    let eta = beta[0];
    for (let j = 0; j < p; j++) eta += beta[j + 1] * x[i * p + j];
    const mu = sigmoid(eta);
    const oneMinusMu = sigmoid(-eta);
    const r = y[i] === 1 ? oneMinusMu : -mu;
    if ((y[i] === 1 ? oneMinusMu : mu) < 1e-10) saturated++;
    logLikelihood -= logLossFromLogit(eta, y[i]);
    grad[0] += r;
    for (let j = 0; j < p; j++) grad[j + 1] += r * x[i * p + j];
    w[i] = mu * oneMinusMu;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = [i * p, (i + 1) * p, (i + 2) * p, (i + 3) * p];
    hess[0] += w[i] + w[i + 1] + w[i + 2] + w[i + 3];
    for (let a = 0; a < p; a++) {
      const c = [0, 1, 2, 3].map((r) => w[i + r] * x[o[r] + a]);
      hess[a + 1] += c[0] + c[1] + c[2] + c[3];
      for (let b = a; b < p; b++) {
        hess[(a + 1) * k + 1 + b] += c[0] * x[o[0] + b] + c[1] * x[o[1] + b] + c[2] * x[o[2] + b] + c[3] * x[o[3] + b];
      }
    }
  }
  for (; i < n; i++) {
    hess[0] += w[i];
    for (let a = 0; a < p; a++) {
      const wa = w[i] * x[i * p + a];
      hess[a + 1] += wa;
      for (let b = a; b < p; b++) hess[(a + 1) * k + 1 + b] += wa * x[i * p + b];
    }
  }
  return { grad, hess, logLikelihood, saturated };
}

function problem(n: number, p: number, seed: number) {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x = Float64Array.from({ length: n * p }, () => r() * 4 - 2);
  const y = Uint8Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
  const beta = Float64Array.from({ length: p + 1 }, () => r() * 2 - 1);
  return { x, y, n, p, beta };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  let scale = 1;
  for (let j = 0; j < expected.length; j++) scale = Math.max(scale, Math.abs(expected[j]));
  for (let j = 0; j < expected.length; j++) {
    expect(Math.abs(actual[j] - expected[j]), `${what}[${j}]`).toBeLessThanOrEqual(tol * scale);
  }
}

describe("row pass kernel", () => {
  // Odd and even p (the Hessian goes two rows at a time), n below, at and past the 8-row block
  // and the 128-row chunk.
  it.each([
    [1, 0], [7, 1], [8, 2], [13, 5], [130, 8], [257, 25],
    [262, 24], [5003, 9],
  ])("n = %i, p = %i: gradient, Hessian, log-likelihood are the row-by-row sums, bit for bit", (n, p) => {
    const { x, y, beta } = problem(n, p, 7 + n + p);
    const want = reference(x, y, n, p, beta);
    const k = p + 1;
    const grad = new Float64Array(k);
    const hess = new Float64Array(k * k);
    const sums = allRows({ x, y, n, p }, beta, grad, hess);
    expect(Array.from(grad)).toEqual(Array.from(want.grad));
    const upper = (h: Float64Array) => Array.from({ length: k * k }, (_, i) => (i % k >= Math.floor(i / k) ? h[i] : 0));
    expect(upper(hess)).toEqual(upper(want.hess));
    expect(sums.logLikelihood).toBe(want.logLikelihood);
    expect(sums.saturated).toBe(want.saturated);
    // Without the Hessian, ℓ comes from one log per 128-row chunk: the same to rounding, not bit for bit.
    const gradOnly = new Float64Array(k);
    const gradSums = allRows({ x, y, n, p }, beta, gradOnly, null);
    expect(gradSums.saturated).toBe(sums.saturated);
    expect(Math.abs(gradSums.logLikelihood - sums.logLikelihood)).toBeLessThanOrEqual(1e-14 * n + 1e-15 * Math.abs(sums.logLikelihood));
    if (n > 0) expect(gradSums.logLikelihood).not.toBe(0);
    expect(Array.from(gradOnly)).toEqual(Array.from(grad));
  });

  it("counts saturated rows and stays finite at |η| ≈ 800", () => {
    const x = Float64Array.of(400, -400, 400, -400, 0);
    const y = Uint8Array.of(1, 0, 0, 1, 1);
    const grad = new Float64Array(2);
    const sums = allRows({ x, y, n: 5, p: 1 }, Float64Array.of(0, 2), grad, new Float64Array(4));
    expect(sums.saturated).toBe(2);
    expect(Number.isFinite(sums.logLikelihood)).toBe(true);
    expect(sums.logLikelihood).toBeCloseTo(-1600 - Math.LN2, 9);
    expect(Array.from(grad).every(Number.isFinite)).toBe(true);
  });

  it("sums over split ranges add up to the whole pass", () => {
    const n = 1000, p = 6, k = p + 1;
    const { x, y, beta } = problem(n, p, 3);
    const whole = { grad: new Float64Array(k), hess: new Float64Array(k * k) };
    const wholeSums = allRows({ x, y, n, p }, beta, whole.grad, whole.hess);
    const parts = { grad: new Float64Array(k), hess: new Float64Array(k * k) };
    let ll = 0;
    for (const [start, end] of [[0, 333], [333, 901], [901, 1000]]) {
      ll += sumRows({ x, y, n, p }, beta, start, end, parts.grad, parts.hess).logLikelihood;
    }
    expectClose(parts.grad, whole.grad, 1e-13, "grad");
    expectClose(parts.hess, whole.hess, 1e-13, "hess");
    expect(Math.abs(ll - wholeSums.logLikelihood)).toBeLessThan(1e-10);
  });
});
