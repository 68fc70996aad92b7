import { statusFlags } from "./contractColumns.ts";
import type { Milestone } from "./milestones.ts";

/** What names one rollup group: the place, the milestone, the grade and the subgroup. */
export const subgroupDimensions = [...statusFlags, "race_ethnicity", "gender"] as const;
export type SubgroupDimension = (typeof subgroupDimensions)[number];

export type ScopeType = "state" | "district" | "school";
export const ALL = "all";

export interface RollupKey {
  scope: ScopeType;
  district_id: string; // "" for the state
  school_id: string; // "" for the state and districts
  milestone: Milestone;
  grade: string; // a grade or "all"
  dimension: SubgroupDimension | typeof ALL;
  value: string; // the subgroup value, or "all"
}

export const countFields = ["n", "low", "moderate", "high"] as const;
export type CountField = (typeof countFields)[number];

/** A group's key and its counts (size, low, moderate, high), as suppression sees it. */
export interface RollupGroup {
  key: RollupKey;
  counts: [number, number, number, number];
}

export const rollupKeyString = (k: RollupKey): string =>
  [k.scope, k.district_id, k.school_id, k.milestone, k.grade, k.dimension, k.value].join("\u0000");
