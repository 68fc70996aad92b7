import { describe, expect, it } from "vitest";
import { rollupChange, tierChange } from "../../../src/core/index.ts";

describe("tierChange", () => {
  it("is new without a previous tier, up or down by tier order, same otherwise", () => {
    expect(tierChange(undefined, "high")).toBe("new");
    expect(tierChange("low", "moderate")).toBe("up");
    expect(tierChange("low", "high")).toBe("up");
    expect(tierChange("high", "moderate")).toBe("down");
    expect(tierChange("moderate", "moderate")).toBe("same");
  });
});

describe("rollupChange", () => {
  it("is the difference in mean risk and high share where both terms show them, null otherwise", () => {
    const change = rollupChange({ mean_risk: 0.42, share_high: 0.3 }, { mean_risk: 0.4, share_high: 0.35 });
    expect(change.mean_risk_change).toBeCloseTo(0.02, 12);
    expect(change.high_share_change).toBeCloseTo(-0.05, 12);
    expect(rollupChange({ mean_risk: 0.42, share_high: null }, { mean_risk: null, share_high: 0.2 })).toEqual({ mean_risk_change: null, high_share_change: null });
    expect(rollupChange({ mean_risk: 0.42, share_high: 0.3 }, undefined)).toEqual({ mean_risk_change: null, high_share_change: null });
  });
});
