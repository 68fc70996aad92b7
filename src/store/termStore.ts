import type { PurgeRecord } from "./sql/termPurge.ts";
import type { AccessScope, PublishedScore, RiskTier, RollupCell, StudentName, TierChange } from "../core/index.ts";

/**
 * Published terms as a port: what the use cases read and write, in the store's own words.
 * Asynchronous because a server database is; SQLite answers at once. Every student-level read
 * takes an `AccessScope`, turned into the query's WHERE clause, never applied afterwards.
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

/** A published score as read back for lists: no indicator values. */
export type ListedScore = Omit<PublishedScore, "indicators">;

export interface RiskListFilter {
  district_id?: string;
  school_id?: string;
  milestone?: string;
  grade?: number;
  tier?: RiskTier;
  change?: TierChange;
  /** Students whose first or last name starts with this, or whose local id is this (`nameSearchText`). */
  name?: string;
  /** Only these students, or all but these (casework's filters: "check-in overdue", "no active plan"). */
  students?: { only: readonly string[] } | { except: readonly string[] };
}

/** A roster's name of one student, as a term publishes it. */
export interface NamedStudent extends StudentName {
  student_id: string;
}

export interface RiskListPage {
  sort?: "risk_desc" | "risk_asc";
  /** Resume after this row (from the previous page's last row). */
  after?: { risk: number; student_id: string; milestone: string };
  limit?: number;
}

export type RollupFilter = Partial<Pick<RollupCell, "scope" | "district_id" | "school_id" | "milestone" | "grade" | "dimension">>;

export interface StudentDetail {
  scores: ListedScore[];
  indicators: Record<string, number | null>;
  history: { term_id: number; school_year: number; label: string; milestone: string; grade: number; risk: number; tier: RiskTier }[];
}

/** One (student, milestone) of a term with the tier move the publisher decided for it. */
export interface TierMove {
  student_id: string;
  milestone: string;
  previous_tier: RiskTier | null;
  change: TierChange;
}

/** The reads of published terms; inside `TermStore.reading`, all of them see one snapshot. */
export interface TermReads {
  listTerms(): Promise<TermRecord[]>;
  findTerm(schoolYear: number, label: string): Promise<TermRecord | undefined>;
  latestTerm(): Promise<TermRecord | undefined>;
  /** The published term just before (schoolYear, label) — or before a new term with that name. */
  previousTerm(schoolYear: number, label: string): Promise<TermRecord | undefined>;
  changeCounts(termId: number): Promise<Record<TierChange, number>>;
  /** Tier of each (student, milestone) in a term, keyed by `tierKey`. */
  tiersOf(termId: number): Promise<Map<string, RiskTier>>;
  rollups(termId: number, filter?: RollupFilter, scope?: AccessScope): Promise<RollupCell[]>;
  riskList(termId: number, filter?: RiskListFilter, scope?: AccessScope, page?: RiskListPage): Promise<ListedScore[]>;
  /** The student's scores this term and tiers in every term up to it, within scope; undefined if none is visible. */
  studentDetail(termId: number, studentId: string, scope: AccessScope): Promise<StudentDetail | undefined>;
  /** The names of these students in a term, by student id; those the roster did not name are absent. */
  namesOf(termId: number, studentIds: readonly string[]): Promise<Map<string, StudentName>>;
  /** Schools and districts of a term, from its rollups, within scope. */
  places(termId: number, scope: AccessScope): Promise<{ district_id: string; school_id: string }[]>;
}

/**
 * A term being published, inside the publishing transaction: what is written here is seen by
 * nobody until the store commits, and is gone if anything fails. The store only writes; what
 * the changes are is the publisher's decision (`src/app/publishTerm.ts`).
 */
export interface PublishingTerm {
  readonly id: number;
  /** The published terms just before and after this one, as they stand inside the transaction. */
  readonly previous: TermRecord | undefined;
  readonly next: TermRecord | undefined;
  tiersOf(termId: number): Promise<Map<string, RiskTier>>;
  rollupsOf(termId: number): Promise<RollupCell[]>;
  addScores(scores: readonly PublishedScore[]): Promise<void>;
  addRollups(cells: readonly RollupCell[]): Promise<void>;
  /** The roster's names of the term's students. */
  addNames(names: readonly NamedStudent[]): Promise<void>;
  /** Rewrites the tier moves of another term's scores (the term after a backfill). */
  setTierMoves(termId: number, moves: readonly TierMove[]): Promise<void>;
  /** Rewrites the change columns of another term's rollup cells, matched by their key. */
  setRollupChanges(termId: number, cells: readonly RollupCell[]): Promise<void>;
}

export interface TermStore extends TermReads {
  /**
   * Removes the terms of school years before `before_year`, the casework that ended or was
   * written before that year began, and records the purge: one transaction (`purgeInside`).
   */
  purgeBefore(record: { at: string; before_year: number }): Promise<PurgeRecord>;
  /** Every purge done, oldest first. */
  purges(): Promise<PurgeRecord[]>;
  /** Runs `read` on one snapshot: every read inside sees the same published terms. */
  reading<T>(read: (snapshot: TermReads) => Promise<T>): Promise<T>;
  /** Fails now, naming why, if a publish could not commit (read-only file, no rights). */
  checkWritable(): Promise<void>;
  /**
   * Replaces the term at `place` whole, or leaves the store as it was: `write` fills the term
   * and returns its record; an error anywhere rolls everything back. `beforeCommit` runs last
   * inside the transaction, with everything written: where a fault test kills the run.
   */
  publish(
    place: { school_year: number; label: string },
    write: (term: PublishingTerm) => Promise<TermToRecord>,
    beforeCommit?: () => void,
  ): Promise<TermRecord>;
}
