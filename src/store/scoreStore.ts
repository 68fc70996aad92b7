import type { AccessScope, PublishedScore, RiskTier, RollupCell, StoredToken, TierChange, TokenCheck, TokenGrant } from "../core/index.ts";

/**
 * Where published terms, tokens and the audit trail live. Narrow on purpose: a server database
 * can implement it later, and nothing outside `src/store` writes SQL. Every student-level read
 * takes an `AccessScope`, turned into the query's WHERE clause.
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

export interface AuditEntry {
  at: string;
  token_id: number;
  token_name: string;
  role: string;
  route: string;
  term_id: number | null;
  students: string[];
}

/** A token as its issuer sees it: who, what, when; never the token or its hash. */
export interface TokenRecord extends StoredToken {
  created_at: string;
}

export type { TokenCheck };

export interface ScoreStore {
  /** Runs `read` on one snapshot: every read inside sees the same published terms. */
  reading<T>(read: () => T): T;
  listTerms(): TermRecord[];
  findTerm(schoolYear: number, label: string): TermRecord | undefined;
  latestTerm(): TermRecord | undefined;
  /** The published term just before (schoolYear, label) — or before a new term with that name. */
  previousTerm(schoolYear: number, label: string): TermRecord | undefined;
  changeCounts(termId: number): Record<TierChange, number>;
  /** Tier of each (student, milestone) in a term, keyed by `tierKey`. */
  tiersOf(termId: number): Map<string, RiskTier>;
  rollups(termId: number, filter?: RollupFilter, scope?: AccessScope): RollupCell[];
  riskList(termId: number, filter?: RiskListFilter, scope?: AccessScope, page?: RiskListPage): ListedScore[];
  /** The student's scores this term and tiers in every term, within scope; undefined if none is visible. */
  studentDetail(termId: number, studentId: string, scope: AccessScope): StudentDetail | undefined;
  /** Schools and districts of a term, from its rollups, within scope. */
  places(termId: number, scope: AccessScope): { district_id: string; school_id: string }[];
  /** Replaces the term whole, or leaves the store as it was: readers never see half of one. */
  publishTerm(term: TermToRecord, scores: readonly PublishedScore[], rollups: readonly RollupCell[]): TermRecord;
  /**
   * `publishTerm` for scores made while it runs: `produce` hands each score to `add` as it is
   * made, then returns the term's record and rollups. All of it happens in the one publishing
   * transaction; an error thrown anywhere in `produce` leaves the store as it was.
   * `beforeCommit` runs last inside the transaction, with everything written: where a fault
   * test kills the run.
   */
  publishTermAsScored(
    place: { school_year: number; label: string },
    produce: (add: (score: PublishedScore) => void) => { term: TermToRecord; rollups: readonly RollupCell[] },
    beforeCommit?: () => void,
  ): TermRecord;

  /** Stores a token's hash and grant; `expiresAt` null for a token that lasts until revoked. */
  createToken(grant: TokenGrant, hash: string, createdAt: string, expiresAt: string | null): number;
  /** The principal a token's hash opens at `now`, or why it opens nothing. */
  principalFor(hash: string, now: Date): TokenCheck;
  /** Every token ever made, oldest first: never its hash. */
  listTokens(): TokenRecord[];
  /** Revokes a token from `at` on (an already revoked one keeps its first date); undefined if there is no such token. */
  revokeToken(id: number, at: string): { token: TokenRecord; revokedNow: boolean } | undefined;
  recordAudit(entry: AuditEntry): void;
  auditTrail(limit?: number): (AuditEntry & { id: number })[];
  close(): void;
}
