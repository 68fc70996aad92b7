import type { Disparity, EvaluationReport, FlagPerformance, ModelEvaluation, SubgroupEvaluation } from "../../src/core/index.ts";
import { dimensionName, esc, int, metricWords, modelId, modelTitle, num, pct, signedGap, signedNum, subgroupValueName } from "./words.ts";

/** HTML tables of the evaluation; every value escaped, numbers formatted in one place (`words.ts`). */
const table = (caption: string, head: string[], rows: string[], cls = "") =>
  `<table${cls ? ` class="${cls}"` : ""}><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;

export const equityFlags = (equity: SubgroupEvaluation[]) => equity.reduce((k, s) => k + s.disparities.filter((d) => d.exceeds).length, 0);

export const interval = (i: { estimate: number; low: number; high: number }) => `${num(i.estimate)} (${num(i.low)}–${num(i.high)})`;

export function summaryTable(report: EvaluationReport): string {
  const rows = report.models.map((m) => {
    const flags = equityFlags(m.equity);
    return `<tr><th scope="row"><a href="#${modelId(m)}">${esc(modelTitle(m))}</a></th><td>${esc(m.cohort)}</td><td>${esc(int(m.n))}</td><td>${esc(pct(m.missRate))}</td><td>${esc(interval(m.auc))}</td><td>${esc(num(m.brier))}</td><td${flags ? ' class="flag"' : ""}>${flags ? `⚠ ${flags}` : "0"}</td></tr>`;
  });
  return table("All models", ["Model", "Held-out cohort", "Students", "Missed", "AUC (95 % interval)", "Brier score", "Equity flags"], rows);
}

const flagCells = (f: FlagPerformance) =>
  [pct(f.recall), pct(f.specificity), pct(f.precision), pct(f.falsePositiveRate), pct(f.falseNegativeRate), pct(f.flaggedShare)].map((v) => `<td>${esc(v)}</td>`).join("");

export function flagTable(m: ModelEvaluation): string {
  const rows = [
    ...m.cutPoints.map((c) => `<tr><th scope="row">Model: ${esc(c.tier)} tier or above<div class="note">risk ≥ ${esc(pct(c.cut))}</div></th>${flagCells(c)}</tr>`),
    ...m.baselines.map((b) => `<tr><th scope="row">Rule: ${esc(b.name)}<div class="note">${esc(b.description)}</div></th>${flagCells(b)}</tr>`),
  ];
  return table(
    "How each flag does on the held-out cohort",
    ["Flag", "Recall (missed, caught)", "Specificity (reached, left alone)", "Precision (flagged who missed)", "False-positive rate", "False-negative rate", "Share flagged"],
    rows,
  );
}

export function tiersTable(m: ModelEvaluation): string {
  const rows = m.tiers.map(
    (t) =>
      `<tr><th scope="row">${esc(t.tier)}</th><td>${esc(int(t.n))}</td><td>${esc(pct(t.observedReachRate))}</td><td>${esc(pct(t.describedReachRate, 0))}</td></tr>`,
  );
  return table("Risk tiers: how many reached the milestone", ["Tier", "Students", "Observed: reached", "Described to schools: about"], rows);
}

const metricCell = (s: SubgroupEvaluation, metric: Disparity["metric"], text: string) => {
  const d = s.disparities.find((x) => x.metric === metric);
  if (!d?.exceeds) return `<td>${esc(text)}</td>`;
  return `<td class="flag" title="${esc(`${metricWords[metric]}: beyond tolerance`)}"><strong>⚠ ${esc(text)}</strong><div class="gap">${esc(signedGap(metric, d.difference))} vs rest</div></td>`;
};

const groupCell = (s: SubgroupEvaluation) => `<th scope="row">${esc(dimensionName(s.dimension))}: ${esc(subgroupValueName(s.dimension, s.value))}</th>`;

export function equityTable(equity: SubgroupEvaluation[]): string {
  const rows = equity.map((s) => {
    if (s.tooSmall) {
      return `<tr class="too-small">${groupCell(s)}<td>${esc(int(s.n))}</td><td colspan="6">too few students to judge</td></tr>`;
    }
    const h = s.highTier;
    return `<tr${s.disparities.some((d) => d.exceeds) ? ' class="flagged"' : ""}>${groupCell(s)}<td>${esc(int(s.n))}</td>${[
      metricCell(s, "auc", num(s.auc)),
      metricCell(s, "calibrationInTheLarge", signedGap("calibrationInTheLarge", s.calibrationInTheLarge)),
      metricCell(s, "falsePositiveRate", pct(h?.falsePositiveRate)),
      metricCell(s, "falseNegativeRate", pct(h?.falseNegativeRate)),
      metricCell(s, "precision", pct(h?.precision)),
      metricCell(s, "flaggedShare", pct(h?.flaggedShare)),
    ].join("")}</tr>`;
  });
  return table(
    "Subgroups",
    ["Group", "Students", "AUC", "Calibration-in-the-large", "High-tier false-positive rate", "High-tier false-negative rate", "High-tier precision", "Share flagged high"],
    rows,
    "equity",
  );
}

const key = (s: SubgroupEvaluation) => `${s.dimension}\u0000${s.value}`;

export function comparisonTables(m: ModelEvaluation): string {
  const w = m.withDemographics!;
  const overall = table(
    "Whole cohort",
    ["", "Without race/ethnicity and gender", "With race/ethnicity and gender", "Difference"],
    [
      `<tr><th scope="row">AUC (higher is better)</th><td>${esc(num(m.auc.estimate))}</td><td>${esc(num(w.auc))}</td><td>${esc(signedNum(w.auc - m.auc.estimate))}</td></tr>`,
      `<tr><th scope="row">Brier score (lower is better)</th><td>${esc(num(m.brier))}</td><td>${esc(num(w.brier))}</td><td>${esc(signedNum(w.brier - m.brier))}</td></tr>`,
    ],
  );
  const withBy = new Map(w.equity.map((s) => [key(s), s]));
  const rows = m.equity.map((s) => {
    const o = withBy.get(key(s));
    if (s.tooSmall || !o || o.tooSmall) return `<tr class="too-small">${groupCell(s)}<td colspan="4">too few students to judge</td></tr>`;
    return `<tr>${groupCell(s)}${[s.highTier?.falsePositiveRate, o.highTier?.falsePositiveRate, s.highTier?.falseNegativeRate, o.highTier?.falseNegativeRate]
      .map((v) => `<td>${esc(pct(v))}</td>`)
      .join("")}</tr>`;
  });
  const bySubgroup = table(
    "High-tier error rates by subgroup",
    ["Group", "False-positive rate without", "False-positive rate with", "False-negative rate without", "False-negative rate with"],
    rows,
  );
  return overall + bySubgroup;
}
