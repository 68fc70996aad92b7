import { statusFlags } from "./contractColumns.ts";
import type { Milestone } from "./milestones.ts";

/** What names one rollup group: the place, the milestone, the grade and the subgroup. */
export const subgroupDimensions = [...statusFlags, "race_ethnicity", "gender"] as const;
export type SubgroupDimension = (typeof subgroupDimensions)[number];

export type ScopeType = "state" | "district" | "school";
export const ALL = "all";

/**
 * What suppression needs of a group's key: its place, the table it is in (`milestone`: groups
 * of different tables are never summed together) and its category (a grade, a dimension's value
 * or "all"). The published rollups' keys are one kind; casework's tables use other dimensions.
 */
export interface GroupKey {
  scope: ScopeType;
  district_id: string; // "" for the state
  school_id: string; // "" for the state and districts
  milestone: string;
  grade: string; // a grade or "all"
  dimension: string;
  value: string; // the dimension's value, or "all"
}

export interface RollupKey extends GroupKey {
  milestone: Milestone;
  dimension: SubgroupDimension | typeof ALL;
}

export const countFields = ["n", "low", "moderate", "high"] as const;
export type CountField = (typeof countFields)[number];

/** A group's key and its counts (size, low, moderate, high), as suppression sees it. */
export interface RollupGroup<K extends GroupKey = GroupKey> {
  key: K;
  counts: [number, number, number, number];
}

export const rollupKeyString = (k: GroupKey): string =>
  [k.scope, k.district_id, k.school_id, k.milestone, k.grade, k.dimension, k.value].join("\u0000");
