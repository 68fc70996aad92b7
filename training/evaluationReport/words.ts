import { contractColumn, milestoneNames, milestones, statusFlags, type Disparity } from "../../src/core/index.ts";

/** The words a school board reads in place of our identifiers. */
export const milestoneWords: Record<string, string> = Object.fromEntries(milestoneNames.map((m) => [m, milestones[m].label]));

const dimensionWords: Record<string, string> = {
  ...Object.fromEntries(statusFlags.map((f) => [f, contractColumn(f).label ?? f])),
  race_ethnicity: "Race/ethnicity",
  gender: "Gender",
};

const raceWords: Record<string, string> = {
  A: "Asian",
  B: "Black",
  H: "Hispanic/Latino",
  M: "Multi-race",
  N: "Native American",
  P: "Pacific Islander",
  W: "White",
};

const genderWords: Record<string, string> = { F: "Female", M: "Male", N: "Non-binary" };

export const metricWords: Record<Disparity["metric"], string> = {
  auc: "AUC",
  calibrationInTheLarge: "Calibration-in-the-large",
  falsePositiveRate: "High-tier false-positive rate",
  falseNegativeRate: "High-tier false-negative rate",
  precision: "High-tier precision",
  flaggedShare: "Share flagged high",
};

export const milestoneName = (m: string) => milestoneWords[m] ?? m;
export const dimensionName = (d: string) => dimensionWords[d] ?? d;

export function subgroupValueName(dimension: string, value: string): string {
  if (dimension === "race_ethnicity") return raceWords[value] ?? value;
  if (dimension === "gender") return genderWords[value] ?? value;
  if (value === "Y" || value === "true" || value === "1") return "yes";
  if (value === "N" || value === "false" || value === "0") return "no";
  return value;
}

export const modelTitle = (m: { milestone: string; grade: number }) => `${milestoneName(m.milestone)} — grade ${m.grade}`;
export const modelId = (m: { milestone: string; grade: number }) => `${m.milestone}-g${m.grade}`.replace(/[^A-Za-z0-9_-]/g, "_");

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

export const pct = (v: number | null | undefined, digits = 1) => (missing(v) ? "–" : `${(100 * v).toFixed(digits)} %`);
export const num = (v: number | null | undefined, digits = 3) => (missing(v) ? "–" : v.toFixed(digits));
export const int = (v: number) => v.toLocaleString("en-US");

const sign = (v: number) => (v > 0 ? "+" : v < 0 ? "−" : "±");
export const signedNum = (v: number | null, digits = 3) => (missing(v) ? "–" : `${sign(v)}${Math.abs(v).toFixed(digits)}`);

/** A signed gap: percentage points for rates and calibration, plain for AUC. */
export function signedGap(metric: Disparity["metric"], v: number | null): string {
  if (missing(v)) return "–";
  return metric === "auc" ? signedNum(v) : `${sign(v)}${(100 * Math.abs(v)).toFixed(1)} pts`;
}

export const tolerance = (metric: Disparity["metric"], v: number) => (metric === "auc" ? v.toFixed(3) : `${(100 * v).toFixed(1)} pts`);

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Every value in the report comes from data: escape it before it meets HTML. */
export const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => entities[c]);
