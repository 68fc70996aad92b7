import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { launchChromium } from "../support/chromium.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { auc, baseMilestone, tprAtFpr, type EvaluationReport, type Milestone } from "../../src/core/index.ts";
import { main } from "../../src/cli/main.ts";

const root = join(import.meta.dirname, "..", "..");
const smallState = join(root, "fixtures", "state-small.csv");
let work: string;
let report: EvaluationReport;

const evaluate = (out: string) =>
  main(["node", "ewis", "evaluate", "--history", smallState, "--models", join(root, "models"), "--out", out, "--replicates", "200", "--seed", "11", "--min-group", "30"], () => {});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-evaluate-"));
  expect(await evaluate(join(work, "a"))).toBe(0);
  report = JSON.parse(await readFile(join(work, "a", "evaluation.json"), "utf8"));
});

describe("ewis evaluate", () => {
  it("judged every shipped model, follow-on ones included, on the default state they were trained on", async () => {
    const shipped = JSON.parse(await readFile(join(root, "models", "evaluation.json"), "utf8")) as EvaluationReport;
    expect(shipped.models.map((m) => `${m.milestone}-${m.grade}`).sort()).toEqual(
      (await readdir(join(root, "models"))).filter((f) => /-grade\d+\.json$/.test(f)).map((f) => f.replace(/-grade(\d+)\.json$/, "-$1")).sort(),
    );
    const repeat = shipped.models.find((m) => m.milestone === "early_literacy_repeat")!;
    expect(repeat.auc.low).toBeLessThan(repeat.auc.estimate);
    expect(repeat.equity.length).toBeGreaterThan(0);
    expect(repeat.baselines.length).toBeGreaterThan(0);
  });

  it("judges every shipped model on its held-out cohort, split by year", () => {
    // Every first-time and college model is judged; this small state has too few repeat years and
    // fifth-year students to judge the follow-on ones (the default state does: models/evaluation.json).
    expect(report.models.filter((m) => baseMilestone(m.milestone as Milestone) === undefined || m.milestone.startsWith("postsecondary")).length).toBe(18);
    for (const m of report.models) {
      expect(m.cohort).toBe(2026);
      expect(m.auc.low).toBeLessThanOrEqual(m.auc.estimate);
      expect(m.auc.high).toBeGreaterThanOrEqual(m.auc.estimate);
      expect(m.roc.falsePositiveRate[0]).toBe(0);
      expect(m.roc.truePositiveRate.at(-1)).toBe(1);
      expect(m.cutPoints.map((c) => c.tier)).toEqual(["moderate", "high"]);
      expect(m.baselines[0].name).toBe("ABC flag");
      expect(m.equity.length).toBeGreaterThan(10);
      expect(m.withDemographics?.auc).toBeGreaterThan(0.5);
    }
    const graduation = report.models.find((m) => m.milestone === "on_time_graduation" && m.grade === 10)!;
    expect(graduation.baselines.map((b) => b.name)).toContain("Freshman on-track");
  });

  it("says plainly where a baseline lies above the model's curve, and nowhere else", () => {
    // Verdicts use the full curve on the students each rule judged; the report's curve is thinned,
    // so only clear cases are checked here.
    for (const m of report.models) {
      for (const b of m.baselines) {
        const gap = b.recall - tprAtFpr(m.roc, b.falsePositiveRate);
        const said = m.baselineVerdicts.some((v) => v.startsWith(b.name));
        if (gap > 0.05) expect(said, `${m.milestone} ${m.grade} ${b.name}`).toBe(true);
        if (gap < -0.05) expect(said, `${m.milestone} ${m.grade} ${b.name}`).toBe(false);
      }
    }
  });

  it("marks small subgroups as too small to judge and flags disparities beyond tolerance", () => {
    const all = report.models.flatMap((m) => m.equity);
    expect(all.some((g) => g.tooSmall && g.auc === null)).toBe(true);
    expect(all.some((g) => g.disparities.some((d) => d.exceeds))).toBe(true);
    for (const g of all) for (const d of g.disparities) if (d.exceeds) expect(Math.abs(d.difference as number)).toBeGreaterThan(report.tolerances[d.metric]);
  });

  it("is reproducible: the same seed gives the same bytes", async () => {
    expect(await evaluate(join(work, "b"))).toBe(0);
    expect(await readFile(join(work, "b", "evaluation.json"), "utf8")).toBe(await readFile(join(work, "a", "evaluation.json"), "utf8"));
    expect(auc([0.1, 0.4, 0.4, 0.4, 0.8, 0.8, 0.2, 0.9], [0, 0, 1, 1, 1, 0, 0, 1])).toBe(0.78125);
  });

  it("takes tolerances from the command line and refuses a bad one", async () => {
    const out = join(work, "strict");
    const args = ["node", "ewis", "evaluate", "--history", smallState, "--models", join(root, "models"), "--out", out, "--replicates", "100"];
    expect(await main([...args, "--tolerance", "falsePositiveRate=0.5", "--tolerance", "auc=0.01"], () => {})).toBe(0);
    const strict = JSON.parse(await readFile(join(out, "evaluation.json"), "utf8")) as EvaluationReport;
    expect(strict.tolerances.falsePositiveRate).toBe(0.5);
    expect(strict.tolerances.auc).toBe(0.01);
    expect(await main([...args, "--tolerance", "colour=0.1"], () => {})).toBe(2);
  });

  it("writes a model card per milestone with equity findings and the limits", async () => {
    const card = await readFile(join(work, "a", "model-card-on_time_graduation.md"), "utf8");
    expect(card).toContain("a risk tier is a prompt to look, not a verdict on a child");
    expect(card).toMatch(/## Equity/);
    expect(card).toMatch(/\| 10 \| 2026 \|/);
  });

  it("renders a self-contained report that Chromium shows with its charts, without the network", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      await page.route("**", (route) => {
        if (!route.request().url().startsWith("file:")) requests.push(route.request().url());
        return route.request().url().startsWith("file:") ? route.continue() : route.abort();
      });
      await page.goto(`file://${join(work, "a", "evaluation.html")}`);
      const svgs = await page.locator("svg").count();
      expect(svgs).toBeGreaterThanOrEqual(report.models.length * 2);
      expect(await page.locator("svg path").count()).toBeGreaterThan(report.models.length * 4);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
