import { describe, expect, it } from "vitest";
import {
  buildDesign,
  describeDriver,
  checkCutPoints,
  formatDrivers,
  indicatorCount,
  indicatorIndex as I,
  parseDrivers,
  planFeatures,
  prepareModel,
  reachByTier,
  riskTier,
  scoreIndicators,
  sigmoid,
  type ScoringPart,
} from "../../../src/core/index.ts";

function indicatorRows(rows: Partial<Record<keyof typeof I, number>>[]): Float64Array {
  const out = new Float64Array(rows.length * indicatorCount).fill(0);
  rows.forEach((row, i) => {
    for (const [name, v] of Object.entries(row)) out[i * indicatorCount + I[name as keyof typeof I]] = v;
  });
  return out;
}

describe("planFeatures", () => {
  it("keeps varying indicators, adds a missing flag where some are missing, drops constant and all-missing ones", () => {
    const x = indicatorRows([
      { attendance_rate: 0.9, ela_recent: 480, math_recent: NaN },
      { attendance_rate: 0.95, ela_recent: NaN, math_recent: NaN },
      { attendance_rate: 0.8, ela_recent: 520, math_recent: NaN },
    ]);
    const plan = planFeatures(x, 3);
    expect(plan.columns.map((c) => c.name)).toEqual(["attendance_rate", "ela_recent", "ela_recent_missing"]);
    expect(plan.fill.ela_recent).toBe(500);
    expect(plan.columns[1]).toMatchObject({ min: 480, max: 520 });
    expect(Array.from(buildDesign(plan, x, 3))).toEqual([0.9, 480, 0, 0.95, 500, 1, 0.8, 520, 0]);
  });
});

describe("riskTier and cut-points", () => {
  it("puts a risk below the first cut low, from the second on high", () => {
    expect(riskTier(0.199, [0.2, 0.5])).toBe("low");
    expect(riskTier(0.2, [0.2, 0.5])).toBe("moderate");
    expect(riskTier(0.5, [0.2, 0.5])).toBe("high");
  });

  it("refuses cut-points that are not 0 < low < high < 1", () => {
    expect(() => checkCutPoints([0.5, 0.2])).toThrow(/0 < low < high < 1/);
    expect(() => checkCutPoints([0.2])).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    expect(checkCutPoints([0.1, 0.4])).toEqual([0.1, 0.4]);
  });

  it("reports the observed reach rate per tier", () => {
    const tiers = reachByTier([0.1, 0.1, 0.3, 0.3, 0.3, 0.9], [0, 1, 0, 0, 1, 1], [0.2, 0.5]);
    expect(tiers).toEqual([
      { tier: "low", n: 2, observedReachRate: 0.5, describedReachRate: 0.9 },
      { tier: "moderate", n: 3, observedReachRate: 2 / 3, describedReachRate: 0.6 },
      { tier: "high", n: 1, observedReachRate: 0, describedReachRate: 0.25 },
    ]);
  });
});

describe("scoreIndicators", () => {
  const model: ScoringPart = {
    intercept: { coefficient: -1, stdErr: 0.1 },
    features: [
      { name: "attendance_rate", indicator: "attendance_rate", kind: "value", min: 0.3, max: 1, mean: 0.94, sd: 0.05, coefficient: -0.8, stdErr: 0.1 },
      { name: "oss_rate", indicator: "oss_rate", kind: "value", min: 0, max: 2, mean: 0.2, sd: 0.5, coefficient: 0.4, stdErr: 0.1 },
      { name: "ela_recent", indicator: "ela_recent", kind: "value", min: 440, max: 560, mean: 500, sd: 20, coefficient: -0.9, stdErr: 0.1 },
      { name: "ela_recent_missing", indicator: "ela_recent", kind: "missing", min: 0, max: 1, mean: 0.1, sd: 0.3, coefficient: 0.3, stdErr: 0.1 },
      { name: "sped", indicator: "sped", kind: "value", min: 0, max: 1, mean: 0.19, sd: 0.39, coefficient: 0.2, stdErr: 0.1 },
    ],
    fill: { attendance_rate: 0.94, oss_rate: 0.2, ela_recent: 500, sped: 0.19 },
    cutPoints: [0.2, 0.5],
  };
  const sm = prepareModel(model);

  it("computes the risk as the logistic of the standardised linear score", () => {
    const x = indicatorRows([{ attendance_rate: 0.84, oss_rate: 1.2, ela_recent: 480, sped: 1 }]);
    const logit = -1 + (-0.8 * (0.84 - 0.94)) / 0.05 + (0.4 * (1.2 - 0.2)) / 0.5 + (-0.9 * (480 - 500)) / 20 + (0.3 * (0 - 0.1)) / 0.3 + (0.2 * (1 - 0.19)) / 0.39;
    const score = scoreIndicators(sm, x);
    expect(score.risk).toBeCloseTo(sigmoid(logit), 14);
    expect(score.tier).toBe("high");
  });

  it("names the top three indicators raising the risk, with value and log-odds contribution", () => {
    const x = indicatorRows([{ attendance_rate: 0.84, oss_rate: 1.2, ela_recent: 480, sped: 1 }]);
    const { drivers } = scoreIndicators(sm, x);
    expect(drivers.map((d) => d.indicator)).toEqual(["attendance_rate", "ela_recent", "oss_rate"]);
    expect(drivers[0].contribution).toBeCloseTo(1.6, 12);
    expect(drivers[1].contribution).toBeCloseTo(0.9 - 0.1, 12); // value share plus its "not missing" flag share
    expect(drivers[1].value).toBe(480);
  });

  it("fills a missing value with the training mean and lets the missing flag speak", () => {
    const x = indicatorRows([{ attendance_rate: 0.94, oss_rate: 0.2, ela_recent: NaN, sped: 0.19 }]);
    const { risk, drivers } = scoreIndicators(sm, x);
    expect(drivers).toHaveLength(1);
    expect(drivers[0].indicator).toBe("ela_recent");
    expect(drivers[0].value).toBeNaN();
    expect(drivers[0].contribution).toBeCloseTo((0.3 * 0.9) / 0.3, 12);
    expect(risk).toBeCloseTo(sigmoid(-1 + 0.9), 12);
  });

  it("scores a value beyond the training range at the range's edge, and shows the real value", () => {
    const atEdge = indicatorRows([{ attendance_rate: 0.94, oss_rate: 2, ela_recent: 500, sped: 0.19 }]);
    const beyond = indicatorRows([{ attendance_rate: 0.94, oss_rate: 9, ela_recent: 500, sped: 0.19 }]);
    const a = scoreIndicators(sm, atEdge);
    const b = scoreIndicators(sm, beyond);
    expect(b.risk).toBe(a.risk);
    expect(b.drivers[0]).toEqual({ indicator: "oss_rate", value: 9, contribution: a.drivers[0].contribution });
  });

  it("never names a risk factor at 0 as a driver, even when its share is positive", () => {
    const withFlag: ScoringPart = {
      ...model,
      features: [{ name: "homeless", indicator: "homeless", kind: "value", min: 0, max: 1, mean: 0.2, sd: 0.4, coefficient: -0.5, stdErr: 0.1 }],
      fill: { homeless: 0.2 },
    };
    const { drivers, risk } = scoreIndicators(prepareModel(withFlag), indicatorRows([{ homeless: 0 }]));
    expect(risk).toBeCloseTo(sigmoid(-1 + (-0.5 * (0 - 0.2)) / 0.4), 12); // the share still counts in the risk
    expect(drivers).toEqual([]);
  });

  it("gives no drivers to a student whose every indicator lowers the risk", () => {
    const x = indicatorRows([{ attendance_rate: 1, oss_rate: 0, ela_recent: 540, sped: 0 }]);
    const { drivers, tier } = scoreIndicators(sm, x);
    expect(drivers).toEqual([]);
    expect(tier).toBe("low");
  });
});

describe("driver format", () => {
  it("round-trips the compact form", () => {
    const text = formatDrivers([
      { indicator: "attendance_rate", value: 0.8123, contribution: 0.9412 },
      { indicator: "ela_recent", value: NaN, contribution: 0.31 },
      { indicator: "ela_change", value: -12, contribution: 0.2 },
    ]);
    expect(text).toBe("attendance_rate=0.8123:+0.94;ela_recent=missing:+0.31;ela_change=-12:+0.20");
    const back = parseDrivers(text);
    expect(back[1].value).toBeNaN();
    expect(back[2]).toEqual({ indicator: "ela_change", value: -12, contribution: 0.2 });
    expect(() => parseDrivers("nonsense")).toThrow(/indicator=value/);
  });
});

describe("drivers in plain words", () => {
  it("says what a value means, a missing value included, and a flag at 0 as its absence", () => {
    expect(describeDriver("attendance_rate", 0.8123)).toBe("attendance this year 81 %");
    expect(describeDriver("ela_recent", 478)).toBe("last ELA score 478 (below proficient)");
    expect(describeDriver("ela_recent", NaN)).toBe("no ELA score yet");
    expect(describeDriver("math_change", -12)).toBe("math score changed -12 points");
    expect(describeDriver("homeless", 1)).toBe("homeless this year");
    expect(describeDriver("homeless", 0)).toBe("not homeless");
  });
});
