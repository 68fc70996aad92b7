import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser } from "playwright-core";
import { launchChromium } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  BaselinePerformance,
  CutPointPerformance,
  Disparity,
  EvaluationReport,
  FlagPerformance,
  ModelEvaluation,
  SubgroupEvaluation,
} from "../../src/core/index.ts";
import { renderEvaluationReport } from "../../training/evaluationReport/render.ts";

function flag(recall: number, fpr: number, n: number, missRate: number): FlagPerformance {
  const missed = Math.round(n * missRate);
  const tp = recall * missed;
  const fp = fpr * (n - missed);
  return {
    recall,
    specificity: 1 - fpr,
    precision: tp / (tp + fp),
    falsePositiveRate: fpr,
    falseNegativeRate: 1 - recall,
    flaggedShare: (tp + fp) / n,
    flagged: Math.round(tp + fp),
    n,
  };
}

const disparities = (values: Partial<Record<Disparity["metric"], [number, number, boolean]>>): Disparity[] =>
  (Object.entries(values) as [Disparity["metric"], [number, number, boolean]][]).map(([metric, [group, rest, exceeds]]) => ({
    metric,
    group,
    rest,
    difference: group - rest,
    exceeds,
  }));

function subgroup(dimension: string, value: string, n: number, fpr: number, opts: { exceeds?: boolean; tooSmall?: boolean } = {}): SubgroupEvaluation {
  if (opts.tooSmall) {
    return { dimension, value, n, missed: 3, tooSmall: true, auc: null, calibrationInTheLarge: null, highTier: null, disparities: [] };
  }
  return {
    dimension,
    value,
    n,
    missed: Math.round(n * 0.3),
    tooSmall: false,
    auc: 0.78,
    calibrationInTheLarge: 0.012,
    highTier: flag(0.42, fpr, n, 0.3),
    disparities: disparities({ auc: [0.78, 0.79, false], falsePositiveRate: [fpr, 0.06, opts.exceeds ?? false] }),
  };
}

/** A binormal-looking ROC curve, AUC around 0.8: tpr = fpr^0.3. */
const roc = () => {
  const falsePositiveRate = Array.from({ length: 41 }, (_, i) => i / 40);
  return { falsePositiveRate, truePositiveRate: falsePositiveRate.map((x) => x ** 0.3) };
};

function model(milestone: string, grade: number, withDemographics: boolean): ModelEvaluation {
  const n = 18_240;
  const missRate = 0.31;
  const cutPoints: CutPointPerformance[] = [
    { tier: "moderate", cut: 0.3, ...flag(0.72, 0.25, n, missRate) },
    { tier: "high", cut: 0.6, ...flag(0.41, 0.06, n, missRate) },
  ];
  const baselines: BaselinePerformance[] = [
    { name: "Chronic absence", description: "Absent ≥ 10 % of days & <one> suspension", ...flag(0.55, 0.1, n, missRate) },
    { name: "Failed a course", description: "Any F in the prior year", ...flag(0.3, 0.12, n, missRate) },
  ];
  const equity = [
    subgroup("race_ethnicity", "B", 3_900, 0.14, { exceeds: true }),
    subgroup("race_ethnicity", "H", 5_100, 0.065),
    subgroup("race_ethnicity", "W", 7_800, 0.05),
    subgroup("race_ethnicity", "P", 14, 0, { tooSmall: true }),
    subgroup("ell", "Y", 2_300, 0.07),
    subgroup("gender", "F", 8_950, 0.055),
  ];
  return {
    milestone,
    grade,
    cohort: 2024,
    trainedOn: 2021,
    n,
    missRate,
    auc: { estimate: 0.803, low: 0.795, high: 0.811 },
    brier: 0.162,
    roc: roc(),
    cutPoints,
    calibration: Array.from({ length: 10 }, (_, i) => ({ decile: i + 1, n: n / 10, meanPredicted: 0.04 + i * 0.085, observedRate: 0.03 + i * 0.088 + (i % 2 ? 0.015 : -0.01) })),
    tiers: [
      { tier: "low", n: 10_900, observedReachRate: 0.89, describedReachRate: 0.9 },
      { tier: "moderate", n: 4_700, observedReachRate: 0.58, describedReachRate: 0.6 },
      { tier: "high", n: 2_640, observedReachRate: 0.27, describedReachRate: 0.25 },
    ],
    baselines,
    baselineVerdicts: ["The chronic-absence rule (10 % of days) catches 55 % of students who missed while flagging 10 % who reached; the model, flagging as many, catches 50 %."],
    equity,
    withDemographics: withDemographics
      ? { auc: 0.806, brier: 0.161, equity: equity.map((s) => (s.highTier ? { ...s, highTier: { ...s.highTier, falsePositiveRate: s.highTier.falsePositiveRate * 0.8 } } : s)) }
      : null,
  };
}

const report: EvaluationReport = {
  ewisVersion: "0.1.0",
  history: { file: "out/state.csv", sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
  tolerances: { auc: 0.05, calibrationInTheLarge: 0.05, falsePositiveRate: 0.05, falseNegativeRate: 0.1, precision: 0.1, flaggedShare: 0.1 },
  minGroupSize: 30,
  bootstrap: { replicates: 1000, seed: 1 },
  models: [model("ninth_grade_success", 8, true), { ...model("early_literacy", 2, false), baselineVerdicts: [] }],
};

let browser: Browser;
let dir: string;
let html: string;

beforeAll(async () => {
  html = await renderEvaluationReport(report);
  dir = mkdtempSync(join(tmpdir(), "ewis-evaluation-"));
  writeFileSync(join(dir, "report.html"), html);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("renderEvaluationReport", () => {
  it("is self-contained: no script, no URL, values escaped", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html).not.toContain("<one>");
    expect(html).toContain("&lt;one&gt;");
  });

  it("opens offline in a browser with real charts, flags and verdicts", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const attempted: string[] = [];
    await page.route("**", (r) => {
      const url = r.request().url();
      if (url.startsWith("file:")) return r.continue();
      attempted.push(url);
      return r.abort();
    });
    await page.goto(pathToFileURL(join(dir, "report.html")).href);

    for (const m of report.models) {
      const section = page.locator(`section.model#${m.milestone}-g${m.grade}`);
      await expect(section.locator("h2").textContent()).resolves.toContain(`grade ${m.grade}`);
      for (const chart of ["roc", "calibration"]) {
        expect(await section.locator(`figure.${chart} svg`).count()).toBe(1);
        expect(await section.locator(`figure.${chart} svg path`).count()).toBeGreaterThan(3);
      }
      expect(await section.locator("figure.fpr svg path").count()).toBeGreaterThan(0);
      expect(await section.locator("figure.fpr figcaption").textContent()).toContain("Not shown (too few students to judge): Pacific Islander");
    }
    const [first, second] = report.models.map((m) => page.locator(`section.model#${m.milestone}-g${m.grade}`));
    expect(await page.locator("h2", { hasText: "Passing every grade 9 course — grade 8" }).count()).toBe(1);

    // The flagged disparity stands out: red, with the gap against everyone else.
    const flagged = first.locator("table.equity td.flag");
    expect(await flagged.count()).toBe(1);
    expect(await flagged.textContent()).toMatch(/⚠ 14\.0 %.*\+8\.0 pts vs rest/);
    expect(await flagged.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(183, 28, 28)");
    expect(await first.locator("table.equity tr", { hasText: "Black" }).getAttribute("class")).toBe("flagged");

    const tooSmall = first.locator("table.equity tr.too-small");
    expect(await tooSmall.textContent()).toContain("Pacific Islander");
    expect(await tooSmall.textContent()).toContain("too few students to judge");

    expect(await first.locator(".verdicts").textContent()).toContain("The chronic-absence rule (10 % of days) catches 55 %");
    expect(await second.locator(".verdicts").textContent()).toBe("The model's curve is above every baseline's point.");
    expect(await first.textContent()).toContain("With race/ethnicity and gender");
    expect(await second.textContent()).toContain("This comparison was not run for this model.");
    expect(await page.locator("table").first().textContent()).toContain("0.803 (0.795–0.811)");

    await page.screenshot({ path: join(tmpdir(), "ewis-evaluation-report.png"), fullPage: true });
    expect(attempted).toEqual([]);
    await page.close();
  });
});
