import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ModelEvaluation } from "../../src/core/index.ts";
import { pct, subgroupValueName } from "./words.ts";

/**
 * Vega-Lite specs compiled to Vega and drawn to an SVG string in Node: no DOM, no canvas,
 * no script in the page that shows them.
 */
// Without canvas, vega estimates text widths generously: keep axis titles short or the padding grows.
const config = {
  font: "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif",
  view: { stroke: "#ccc" },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#eee" },
  legend: { labelLimit: 260, labelFontSize: 11, titleFontSize: 11, orient: "bottom", direction: "horizontal" },
};

const colours = { model: "#1f5fa8", baseline: "#b35c00", cut: "#2e7d32", flag: "#c62828", bar: "#6b8fb8", diagonal: "#999" };

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile({ ...spec, config } as TopLevelSpec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  // Inline SVG in HTML needs no namespace declarations; dropping them keeps the file free of URLs.
  return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, "");
}

const unit = { type: "quantitative" as const, scale: { domain: [0, 1] }, axis: { format: "%" } };
const diagonal = {
  data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
  mark: { type: "line" as const, strokeDash: [4, 4], color: colours.diagonal, strokeWidth: 1 },
  encoding: { x: { field: "x", ...unit }, y: { field: "y", ...unit } },
};

/** The model's ROC curve, the chance diagonal, and each rule or cut-point as a labelled point. */
export function rocChart(m: ModelEvaluation): Promise<string> {
  const curve = m.roc.falsePositiveRate.map((x, i) => ({ x, y: m.roc.truePositiveRate[i], i }));
  const points = [
    ...m.cutPoints.map((c) => ({ x: c.falsePositiveRate, y: c.recall, label: `${c.tier} tier (≥ ${pct(c.cut, 0)})`, kind: "Model cut-point" })),
    ...m.baselines.map((b) => ({ x: b.falsePositiveRate, y: b.recall, label: b.name, kind: "Simple rule" })),
  ];
  const kindScale = { domain: ["Model cut-point", "Simple rule"], range: [colours.cut, colours.baseline] };
  return toSvg({
    width: 340,
    height: 300,
    description: "ROC curve of the model with baselines and cut-points",
    layer: [
      diagonal,
      {
        data: { values: curve },
        mark: { type: "line", color: colours.model, strokeWidth: 2, interpolate: "linear" },
        encoding: {
          x: { field: "x", ...unit, title: "False-positive rate" },
          y: { field: "y", ...unit, title: "Recall (missed and flagged)" },
          order: { field: "i", type: "quantitative" },
        },
      },
      {
        data: { values: points },
        layer: [
          {
            mark: { type: "point", filled: true, size: 70, opacity: 1 },
            encoding: {
              x: { field: "x", ...unit },
              y: { field: "y", ...unit },
              color: { field: "kind", type: "nominal", scale: kindScale, title: null },
              shape: { field: "kind", type: "nominal", scale: { domain: kindScale.domain, range: ["circle", "diamond"] }, title: null },
            },
          },
          {
            mark: { type: "text", align: "left", dx: 7, dy: -6, fontSize: 10 },
            encoding: {
              x: { field: "x", ...unit },
              y: { field: "y", ...unit },
              text: { field: "label" },
              color: { field: "kind", type: "nominal", scale: kindScale, title: null },
            },
          },
        ],
      },
    ],
  });
}

/** Mean predicted risk against the observed miss rate, one point per decile of predicted risk. */
export function calibrationChart(m: ModelEvaluation): Promise<string> {
  return toSvg({
    width: 340,
    height: 300,
    description: "Calibration: mean predicted risk against observed miss rate per decile",
    layer: [
      diagonal,
      {
        data: { values: m.calibration.map((b) => ({ x: b.meanPredicted, y: b.observedRate, decile: b.decile, n: b.n })) },
        layer: [
          { mark: { type: "line", color: colours.model, strokeWidth: 2 }, encoding: { order: { field: "decile", type: "quantitative" } } },
          { mark: { type: "point", filled: true, color: colours.model, size: 45, opacity: 1 } },
        ],
        encoding: {
          x: { field: "x", ...unit, title: "Mean predicted risk" },
          y: { field: "y", ...unit, title: "Share who actually missed" },
        },
      },
    ],
  });
}

/** High-tier false-positive rate per race/ethnicity value (judgeable groups only), with the overall rate as a rule. */
export function fprBarChart(m: ModelEvaluation, dimension = "race_ethnicity"): Promise<string> | null {
  const rows = m.equity
    .filter((s) => s.dimension === dimension && !s.tooSmall && s.highTier !== null)
    .map((s) => ({
      group: subgroupValueName(dimension, s.value),
      fpr: s.highTier!.falsePositiveRate,
      flagged: s.disparities.some((d) => d.metric === "falsePositiveRate" && d.exceeds) ? "Beyond tolerance" : "Within tolerance",
    }));
  if (rows.length === 0) return null;
  const overall = m.cutPoints.find((c) => c.tier === "high")?.falsePositiveRate;
  const max = Math.max(...rows.map((r) => r.fpr), overall ?? 0);
  const x = { field: "fpr", type: "quantitative" as const, scale: { domain: [0, Math.min(1, Math.max(0.05, max * 1.25))] }, axis: { format: "%" }, title: "High-tier false-positive rate" };
  return toSvg({
    width: 340,
    height: { step: 24 },
    description: "High-tier false-positive rate by race/ethnicity",
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar" },
        encoding: {
          y: { field: "group", type: "nominal", sort: null, title: null },
          x,
          color: { field: "flagged", type: "nominal", scale: { domain: ["Within tolerance", "Beyond tolerance"], range: [colours.bar, colours.flag] }, title: null },
        },
      },
      ...(overall === undefined
        ? []
        : [
            {
              data: { values: [{ fpr: overall, label: `all students ${pct(overall)}` }] },
              layer: [
                { mark: { type: "rule" as const, color: "#333", strokeDash: [3, 3] }, encoding: { x } },
                { mark: { type: "text" as const, align: "left" as const, dx: 4, y: -8, fontSize: 10, color: "#333" }, encoding: { x, text: { field: "label" } } },
              ],
            },
          ]),
    ],
  });
}
