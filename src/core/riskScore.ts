import { EwisError } from "./errors.ts";
import { columnValue } from "./design.ts";
import { sigmoid } from "./fit/sigmoid.ts";
import { riskFactorIndicators, indicatorIndex, indicatorNames, type IndicatorName } from "./indicators.ts";
import type { RiskModel } from "./riskModel.ts";
import { riskTier, type CutPoints, type RiskTier } from "./riskTier.ts";

/** An indicator that raises this student's risk: its value (NaN when missing) and its log-odds share. */
export interface Driver {
  indicator: IndicatorName;
  value: number;
  contribution: number;
}

export interface RiskScore {
  risk: number;
  tier: RiskTier;
  drivers: Driver[];
}

const DRIVERS_SHOWN = 3;

/** A model unpacked into typed arrays once, so scoring a million students allocates little. */
/** What scoring needs of a model; a fit under validation has no metrics yet. */
export type ScoringPart = Pick<RiskModel, "features" | "fill" | "intercept" | "cutPoints">;

export interface ScoringModel {
  indicatorOf: Int32Array;
  isMissingFlag: Uint8Array;
  fill: Float64Array;
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
  sd: Float64Array;
  coefficient: Float64Array;
  intercept: number;
  cutPoints: CutPoints;
}

export function prepareModel(model: ScoringPart): ScoringModel {
  const p = model.features.length;
  const sm: ScoringModel = {
    indicatorOf: new Int32Array(p),
    isMissingFlag: new Uint8Array(p),
    fill: new Float64Array(p),
    min: new Float64Array(p),
    max: new Float64Array(p),
    mean: new Float64Array(p),
    sd: new Float64Array(p),
    coefficient: new Float64Array(p),
    intercept: model.intercept.coefficient,
    cutPoints: model.cutPoints,
  };
  model.features.forEach((f, j) => {
    sm.indicatorOf[j] = indicatorIndex[f.indicator];
    sm.isMissingFlag[j] = f.kind === "missing" ? 1 : 0;
    sm.fill[j] = model.fill[f.indicator] ?? 0;
    sm.min[j] = f.min;
    sm.max[j] = f.max;
    sm.mean[j] = f.mean;
    sm.sd[j] = f.sd;
    sm.coefficient[j] = f.coefficient;
  });
  return sm;
}

/**
 * risk = σ(b0 + Σ b_j·z_j) with z_j the standardised column, its value held to the training range. A driver's contribution is the sum
 * of b_j·z_j over its indicator's columns (value and missing flag): the log-odds it adds
 * against a student at the training mean, so contributions of one student add up to the logit
 * minus the intercept.
 */
export function scoreIndicators(sm: ScoringModel, indicators: Float64Array, offset = 0): RiskScore {
  const contributions = new Float64Array(indicatorNames.length);
  const risk = sigmoid(logitOf(sm, indicators, offset, contributions));
  return { risk, tier: riskTier(risk, sm.cutPoints), drivers: topDrivers(contributions, indicators, offset) };
}

/** The same risk and tier as `scoreIndicators`, without the drivers: for counting scores, not explaining them. */
export function scoreRisk(sm: ScoringModel, indicators: Float64Array, offset = 0): RiskScore {
  const risk = sigmoid(logitOf(sm, indicators, offset));
  return { risk, tier: riskTier(risk, sm.cutPoints), drivers: [] };
}

/** The log-odds of missing; adds each column's share to `contributions[indicator]` when given. */
export function logitOf(sm: ScoringModel, indicators: Float64Array, offset = 0, contributions?: Float64Array): number {
  let logit = sm.intercept;
  for (let j = 0; j < sm.coefficient.length; j++) {
    const x = columnValue(indicators[offset + sm.indicatorOf[j]], sm.isMissingFlag[j] === 1, sm.fill[j], sm.min[j], sm.max[j]);
    const share = (sm.coefficient[j] * (x - sm.mean[j])) / sm.sd[j];
    logit += share;
    if (contributions) contributions[sm.indicatorOf[j]] += share;
  }
  return logit;
}

/** Below this (log-odds) an indicator is not a reason worth a counselor's time; it would print as +0.00. */
const MIN_DRIVER_CONTRIBUTION = 0.01;

/**
 * The indicators raising this student's risk most. A risk factor at 0 (not homeless, no course
 * failed) can come out "raising" the risk against the training mean, through a negative
 * coefficient or its indicator's missing flag, but an absent factor is never a reason to give.
 */
function topDrivers(contributions: Float64Array, indicators: Float64Array, offset: number): Driver[] {
  const drivers: Driver[] = [];
  for (let k = 0; k < contributions.length; k++) {
    const value = indicators[offset + k];
    if (contributions[k] < MIN_DRIVER_CONTRIBUTION || (value === 0 && riskFactorIndicators.has(indicatorNames[k]))) continue;
    drivers.push({ indicator: indicatorNames[k], value, contribution: contributions[k] });
  }
  drivers.sort((a, b) => b.contribution - a.contribution || a.indicator.localeCompare(b.indicator));
  return drivers.slice(0, DRIVERS_SHOWN);
}

/**
 * The compact driver form of score files: `indicator=value:+contribution` joined by `;`,
 * strongest first, e.g. `attendance_rate=0.8123:+0.94;ela_recent=missing:+0.31`.
 * Values are shown to 4 decimals (whole numbers as they are), so a rate reads the same in
 * words as the indicator it came from; contributions in log-odds to 2.
 */
export function formatDrivers(drivers: readonly Driver[]): string {
  return drivers
    .map((d) => `${d.indicator}=${formatValue(d.value)}:+${d.contribution.toFixed(2)}`)
    .join(";");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "missing";
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** Reads the compact form back; the inverse of `formatDrivers` up to its rounding. */
export function parseDrivers(text: string): { indicator: string; value: number; contribution: number }[] {
  if (text === "") return [];
  return text.split(";").map((part) => {
    const match = /^([a-z_]+)=([^:]+):\+([0-9.]+)$/.exec(part);
    if (!match) throw new EwisError("invalid_argument", `not a driver in the form indicator=value:+contribution: ${part}`, { value: part });
    return { indicator: match[1], value: match[2] === "missing" ? NaN : Number(match[2]), contribution: Number(match[3]) };
  });
}
