import {
  indicatorNames,
  subgroupDimensions,
  type Milestone,
  type PriorMilestone,
  type PublishedScore,
  type RiskTier,
  type RollupCell,
  type SubgroupDimension,
} from "../../core/index.ts";
import type { AuditEntry } from "../auditTrail.ts";
import type { ListedScore, TermRecord } from "../termStore.ts";
import type { TokenRecord } from "../tokenStore.ts";
import type { Row } from "./sqlRunner.ts";

/** The tables' columns and their values, the same in SQLite and PostgreSQL. */
export const termColumns = [
  "school_year", "label", "started_at", "finished_at", "rows_read", "rows_accepted", "rows_rejected", "students_enrolled",
  "students_scored", "scores", "not_scored", "models", "input_sha256", "suppression_threshold",
] as const;

export const scoreColumns = [
  "student_id", "milestone", "school_year", "grade", "district_id", "school_id", "risk", "tier", "drivers", "previous_tier", "change", ...subgroupDimensions, "prior", "scored_with", "indicators",
] as const;
export type ScoreColumn = (typeof scoreColumns)[number];

/** Each score column's value, read straight from the score: no object per row on a state's million. */
export const scoreValues: Record<ScoreColumn, (s: PublishedScore) => unknown> = {
  student_id: (s) => s.student_id,
  milestone: (s) => s.milestone,
  school_year: (s) => s.school_year,
  grade: (s) => s.grade,
  district_id: (s) => s.district_id,
  school_id: (s) => s.school_id,
  risk: (s) => s.risk,
  tier: (s) => s.tier,
  drivers: (s) => s.drivers,
  previous_tier: (s) => s.previous_tier,
  change: (s) => s.change,
  ...(Object.fromEntries(subgroupDimensions.map((d) => [d, (s: PublishedScore) => s.subgroups[d]])) as Record<SubgroupDimension, (s: PublishedScore) => string>),
  prior: (s) => (s.prior ? JSON.stringify(s.prior) : null),
  scored_with: (s) => s.scoredWith,
  indicators: (s) => indicatorBlob(s.indicators),
};

const listedColumnNames = scoreColumns.filter((c) => c !== "indicators");
export const listedColumns = listedColumnNames.join(", ");

export const rollupColumns = [
  "scope", "district_id", "school_id", "milestone", "grade", "dimension", "value", "n", "low", "moderate", "high",
  "share_low", "share_moderate", "share_high", "mean_risk", "mean_risk_change", "high_share_change", "suppressed",
  "suppressed_small",
] as const;
export type RollupColumn = (typeof rollupColumns)[number];
/** A rollup cell's key columns: its place in the published table, and the order it is read in. */
export const rollupKeyColumns = ["scope", "district_id", "school_id", "milestone", "grade", "dimension", "value"] as const;
export const rollupOrder = rollupKeyColumns.join(", ");

/** Each rollup column's value as stored: field lists as comma-separated text. */
export function rollupValue(c: RollupCell, column: RollupColumn): unknown {
  if (column === "suppressed") return c.suppressed.join(",");
  if (column === "suppressed_small") return c.suppressed_small?.join(",") ?? null;
  return c[column];
}

/**
 * Indicator values as 8-byte floats in `indicatorNames` order (NaN = missing): a state's
 * million JSON objects cost 4 s to write and made each score row three times as wide.
 */
function indicatorBlob(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** A score's indicators by name (null = missing); SQLite terms published before the blob were JSON. */
export function indicatorsOf(stored: unknown): Record<string, number | null> {
  if (typeof stored === "string") return JSON.parse(stored) as Record<string, number | null>;
  const bytes = stored as Buffer;
  if (bytes.length !== indicatorNames.length * 8) throw new Error(`stored indicators hold ${bytes.length / 8} values, expected ${indicatorNames.length}`);
  return Object.fromEntries(indicatorNames.map((name, k) => {
    const value = bytes.readDoubleLE(k * 8);
    return [name, Number.isNaN(value) ? null : value];
  }));
}

/** Who a token or a user is and what they may see, as both tables keep it. */
export function grantOf(r: Row): { name: string; role: string; districts: string[]; schools: string[]; student_grant: boolean } {
  return {
    name: r.name as string,
    role: r.role as string,
    districts: JSON.parse(r.districts as string),
    schools: JSON.parse(r.schools as string),
    student_grant: r.student_grant === 1,
  };
}

/** A token row without its hash. */
export function toTokenRecord(r: Row): TokenRecord {
  return {
    id: r.id as number,
    ...grantOf(r),
    created_at: r.created_at as string,
    expires_at: (r.expires_at as string | null) ?? null,
    revoked_at: (r.revoked_at as string | null) ?? null,
  };
}

export function toTerm(r: Row): TermRecord {
  return {
    id: r.id as number,
    school_year: r.school_year as number,
    label: r.label as string,
    status: "published",
    started_at: r.started_at as string,
    finished_at: r.finished_at as string,
    rows_read: r.rows_read as number,
    rows_accepted: r.rows_accepted as number,
    rows_rejected: r.rows_rejected as number,
    students_enrolled: r.students_enrolled as number,
    students_scored: r.students_scored as number,
    scores: r.scores as number,
    not_scored: JSON.parse(r.not_scored as string),
    models: JSON.parse(r.models as string),
    input_sha256: r.input_sha256 as string,
    suppression_threshold: r.suppression_threshold as number,
  };
}

export function toRollup(r: Row): RollupCell {
  const { term_id: _, suppressed, suppressed_small, ...cell } = r;
  const fields = (text: string) => (text === "" ? [] : (text.split(",") as RollupCell["suppressed"]));
  return {
    ...(cell as Omit<RollupCell, "suppressed" | "suppressed_small">),
    suppressed: fields(suppressed as string),
    suppressed_small: suppressed_small === null ? null : fields(suppressed_small as string),
  };
}

/** `toScore` of a row selected as `listedColumns`, by position. */
const listedIndex = Object.fromEntries(listedColumnNames.map((c, k) => [c, k])) as Record<(typeof listedColumnNames)[number], number>;
const subgroupIndex = subgroupDimensions.map((d) => listedIndex[d]);

export function toListedScore(r: unknown[]): ListedScore {
  const subgroups = {} as Record<string, string>;
  for (let k = 0; k < subgroupDimensions.length; k++) subgroups[subgroupDimensions[k]] = r[subgroupIndex[k]] as string;
  return {
    student_id: r[listedIndex.student_id] as string,
    school_year: r[listedIndex.school_year] as number,
    district_id: r[listedIndex.district_id] as string,
    school_id: r[listedIndex.school_id] as string,
    grade: r[listedIndex.grade] as number,
    milestone: r[listedIndex.milestone] as PublishedScore["milestone"],
    risk: r[listedIndex.risk] as number,
    tier: r[listedIndex.tier] as RiskTier,
    drivers: r[listedIndex.drivers] as string,
    previous_tier: (r[listedIndex.previous_tier] as RiskTier | null) ?? null,
    change: r[listedIndex.change] as PublishedScore["change"],
    subgroups: subgroups as PublishedScore["subgroups"],
    prior: priorOf(r[listedIndex.prior]),
    scoredWith: (r[listedIndex.scored_with] as Milestone | null) ?? null,
  };
}

export function toScore(r: Row): ListedScore {
  return toListedScore(listedColumnNames.map((c) => r[c]));
}

function priorOf(text: unknown): PriorMilestone | null {
  return typeof text === "string" ? (JSON.parse(text) as PriorMilestone) : null;
}

/** An audit row as the trail gives it back: the students as a list again. */
export function toAuditEntry(r: Row): AuditEntry & { id: number } {
  return {
    id: r.id as number,
    at: r.at as string,
    token_id: (r.token_id as number | null) ?? null,
    user_id: (r.user_id as number | null) ?? null,
    token_name: r.token_name as string,
    role: r.role as string,
    route: r.route as string,
    term_id: (r.term_id as number | null) ?? null,
    students: JSON.parse(r.students as string),
  };
}
