import type { PublishedScore, RiskTier, RollupCell, TierChange } from "../core/index.ts";

/**
 * Where published terms live. Narrow on purpose: a server database can implement it later,
 * and nothing outside `src/store` writes SQL.
 */
export interface TermRecord {
  id: number;
  school_year: number;
  label: string;
  status: "published";
  started_at: string;
  finished_at: string;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  students_enrolled: number;
  students_scored: number;
  scores: number;
  not_scored: Record<string, number>;
  models: { milestone: string; grade: number; ewisVersion: string; dataSha256: string }[];
  input_sha256: string;
  suppression_threshold: number;
}

export type TermToRecord = Omit<TermRecord, "id" | "status">;

export interface RiskListFilter {
  district_id?: string;
  school_id?: string;
  milestone?: string;
  grade?: number;
  tier?: RiskTier;
  change?: TierChange;
}

export type RollupFilter = Partial<Pick<RollupCell, "scope" | "district_id" | "school_id" | "milestone" | "grade" | "dimension">>;

export interface ScoreStore {
  listTerms(): TermRecord[];
  findTerm(schoolYear: number, label: string): TermRecord | undefined;
  /** The published term just before (schoolYear, label) — or before a new term with that name. */
  previousTerm(schoolYear: number, label: string): TermRecord | undefined;
  /** Tier of each (student, milestone) in a term, keyed `student_id\u0000milestone`. */
  tiersOf(termId: number): Map<string, RiskTier>;
  rollups(termId: number, filter?: RollupFilter): RollupCell[];
  riskList(termId: number, filter?: RiskListFilter): PublishedScore[];
  /** Replaces the term whole, or leaves the store as it was: readers never see half of one. */
  publishTerm(term: TermToRecord, scores: readonly PublishedScore[], rollups: readonly RollupCell[]): TermRecord;
  close(): void;
}
