import { indicatorCount, indicatorIndex, indicatorNames, type IndicatorName } from "./indicators.ts";

/**
 * How indicators become model columns. A missing indicator is handled explicitly (`docs/data-contract.md`): its
 * value column is filled with the training mean and a `<name>_missing` column says it was
 * missing, so the student is still scored. Columns that are constant in the training data
 * (no grade 1 student has a test score yet) carry no information and would make the Hessian
 * singular, so they are left out of that model. A value beyond the range seen in training is
 * taken at the range's edge: a year-to-date rate from a few weeks (one suspension in 20 days is
 * 9 a year) must not extrapolate a coefficient far past the data that estimated it.
 */
export interface DesignColumn {
  name: string;
  indicator: IndicatorName;
  kind: "value" | "missing";
  min: number;
  max: number;
}

export interface FeaturePlan {
  columns: DesignColumn[];
  /** Training mean of each indicator used with a value column: what a missing value becomes. */
  fill: Partial<Record<IndicatorName, number>>;
}

/**
 * `indicators` is row-major n × indicatorCount with NaN for missing. A column identical to an
 * earlier one in the training data (no math score exactly when no ELA score; the blank-flags
 * rows that blank every flag) is dropped: it would only split one effect in two, take two of
 * a student's three driver slots, and make an unpenalised fit singular.
 */
export function planFeatures(indicators: Float64Array, n: number): FeaturePlan {
  const plan = candidateColumns(indicators, n);
  const x = buildDesign(plan, indicators, n);
  const p = plan.columns.length;
  const keep: number[] = [];
  for (let j = 0; j < p; j++) {
    const duplicate = keep.some((k) => {
      for (let i = 0; i < n; i++) if (x[i * p + j] !== x[i * p + k]) return false;
      return true;
    });
    if (!duplicate) keep.push(j);
  }
  const columns = keep.map((j) => plan.columns[j]);
  const fill: FeaturePlan["fill"] = {};
  for (const c of columns) if (c.kind === "value") fill[c.indicator] = plan.fill[c.indicator];
  return { columns, fill };
}

function candidateColumns(indicators: Float64Array, n: number): FeaturePlan {
  const columns: DesignColumn[] = [];
  const fill: FeaturePlan["fill"] = {};
  for (let k = 0; k < indicatorCount; k++) {
    let observed = 0, sum = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = indicators[i * indicatorCount + k];
      if (Number.isNaN(v)) continue;
      observed++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const name = indicatorNames[k];
    if (observed === 0) continue;
    if (max > min) {
      columns.push({ name, indicator: name, kind: "value", min, max });
      fill[name] = sum / observed;
    }
    if (observed < n) columns.push({ name: `${name}_missing`, indicator: name, kind: "missing", min: 0, max: 1 });
  }
  return { columns, fill };
}

/**
 * A column's value from its indicator's raw value (NaN = missing): a missing flag is 1 or 0; a
 * value column takes the training mean when missing and is held to the training range. The one
 * rule for training designs and for scoring.
 */
export function columnValue(raw: number, isMissingFlag: boolean, fill: number, min: number, max: number): number {
  if (isMissingFlag) return Number.isNaN(raw) ? 1 : 0;
  return Number.isNaN(raw) ? fill : Math.min(max, Math.max(min, raw));
}

/** One design row from one indicator row; `out` has length `plan.columns.length`. */
function designRow(plan: FeaturePlan, indicators: Float64Array, offset: number, out: Float64Array, outOffset = 0): void {
  const { columns, fill } = plan;
  for (let j = 0; j < columns.length; j++) {
    const column = columns[j];
    const v = indicators[offset + indicatorIndex[column.indicator]];
    out[outOffset + j] = columnValue(v, column.kind === "missing", fill[column.indicator] ?? 0, column.min, column.max);
  }
}

export function buildDesign(plan: FeaturePlan, indicators: Float64Array, n: number): Float64Array {
  const p = plan.columns.length;
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) designRow(plan, indicators, i * indicatorCount, x, i * p);
  return x;
}
