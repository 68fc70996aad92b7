import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import {
  compareTerms,
  termNeighbours,
  tokenCheck,
  EwisError,
  indicatorNames,
  rollupChange,
  rollupKeyString,
  tierChange,
  type TermPlace,
  type TierChange,
  subgroupDimensions,
  tierKey,
  type AccessScope,
  type Milestone,
  type PriorMilestone,
  type PublishedScore,
  type RiskTier,
  type RollupCell,
  type SubgroupDimension,
  type TokenGrant,
} from "../core/index.ts";
import { AuditLog, auditLogFile, moveOldAuditRows } from "./auditLog.ts";
import { migrate } from "./migrations.ts";
import { isSqliteError, storeFailure } from "./storeFailure.ts";
import type {
  AuditEntry,
  ListedScore,
  RiskListFilter,
  RiskListPage,
  RollupFilter,
  ScoreStore,
  StudentDetail,
  TermRecord,
  TermToRecord,
  TokenCheck,
  TokenRecord,
} from "./scoreStore.ts";

const termColumns = [
  "school_year", "label", "started_at", "finished_at", "rows_read", "rows_accepted", "rows_rejected", "students_enrolled",
  "students_scored", "scores", "not_scored", "models", "input_sha256", "suppression_threshold",
] as const;
const scoreColumns = [
  "student_id", "milestone", "school_year", "grade", "district_id", "school_id", "risk", "tier", "drivers", "previous_tier", "change", ...subgroupDimensions, "prior", "scored_with", "indicators",
] as const;
/** Each score column's value, bound straight from the score: no object per row on a state's million. */
const scoreValues: Record<(typeof scoreColumns)[number], (s: PublishedScore, before: RiskTier | undefined) => unknown> = {
  student_id: (s) => s.student_id,
  milestone: (s) => s.milestone,
  school_year: (s) => s.school_year,
  grade: (s) => s.grade,
  district_id: (s) => s.district_id,
  school_id: (s) => s.school_id,
  risk: (s) => s.risk,
  tier: (s) => s.tier,
  drivers: (s) => s.drivers,
  previous_tier: (_, before) => before ?? null,
  change: (s, before) => tierChange(before, s.tier),
  ...(Object.fromEntries(subgroupDimensions.map((d) => [d, (s: PublishedScore) => s.subgroups[d]])) as Record<SubgroupDimension, (s: PublishedScore) => string>),
  prior: (s) => (s.prior ? JSON.stringify(s.prior) : null),
  scored_with: (s) => s.scoredWith,
  indicators: (s) => indicatorBlob(s.indicators),
};
const listedColumnNames = scoreColumns.filter((c) => c !== "indicators");
const listedColumns = listedColumnNames.join(", ");
const rollupColumns = [
  "scope", "district_id", "school_id", "milestone", "grade", "dimension", "value", "n", "low", "moderate", "high",
  "share_low", "share_moderate", "share_high", "mean_risk", "mean_risk_change", "high_share_change", "suppressed",
  "suppressed_small",
] as const;
/** Page cache while publishing, in KiB as SQLite's negative `cache_size` takes it. */
const PUBLISH_CACHE_KIB = -192 * 1024;
const rollupOrder = "scope, district_id, school_id, milestone, grade, dimension, value";

type Row = Record<string, unknown>;

/** The embedded default: one SQLite file in WAL mode, so readers keep reading while a term is published. */
export class SqliteScoreStore implements ScoreStore {
  private readonly db: Database.Database;
  private readonly file: string;
  private auditLog: AuditLog | undefined;
  /** Read statements by SQL text, prepared once: the API runs the same few shapes on every request. */
  private readonly statements = new Map<string, Database.Statement>();

  /** `mustExist` for commands that only read or add to a store: a mistyped path is an error, not a new empty store. */
  constructor(file: string, options: { mustExist?: boolean } = {}) {
    if (options.mustExist && !existsSync(file)) throw new EwisError("invalid_argument", "no ewis store there; publish a term with `ewis run-term` first", { file });
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.file = file;
    try {
      this.db = new Database(file);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("busy_timeout = 10000");
      migrate(this.db);
    } catch (error) {
      throw storeFailure(error, file, "opening the store");
    }
  }

  /** Forgets that an audit trail was begun, so a lost one is replaced by a new, empty one. */
  startNewAuditTrail(): void {
    this.auditLog?.close();
    this.auditLog = undefined;
    this.db.prepare("DELETE FROM audit_trail_begun").run();
  }

  /**
   * Takes the write lock and lets it go: a read-only store or folder is found before a run
   * spends minutes reading a state's history, not at its commit.
   */
  checkWritable(): void {
    try {
      // BEGIN IMMEDIATE alone succeeds on a read-only file; a write of the same value does not.
      const version = this.db.pragma("user_version", { simple: true }) as number;
      this.db.exec(`BEGIN IMMEDIATE; PRAGMA user_version = ${version}; ROLLBACK;`);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw storeFailure(error, this.file, "taking the store's write lock");
    }
  }

  /**
   * Runs `read` on one snapshot of the store. Each statement on its own sees the latest commit,
   * so a request that reads the term and then its rows could straddle a re-run of that term
   * (it keeps its id) and name one version while carrying the other's rows. The audit entry
   * may be written inside: it goes to the audit file, whose lock no publish holds.
   */
  reading<T>(read: () => T): T {
    try {
      return this.db.transaction(read).deferred();
    } catch (error) {
      throw storeFailure(error, this.file, "reading the store");
    }
  }

  /** A prepared statement for `sql`, reused; only for reads and the audit insert, never for publishing. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Filters and scopes combine into many shapes; a cap keeps an odd client from growing this.
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  listTerms(): TermRecord[] {
    return this.orderedTerms().map(toTerm);
  }

  /** Every term row in calendar order (`compareTerms`); a handful per year, so sorted here. */
  private orderedTerms(): Row[] {
    return (this.statement("SELECT * FROM terms").all() as Row[]).sort((a, b) => compareTerms(a as unknown as TermPlace, b as unknown as TermPlace));
  }

  findTerm(schoolYear: number, label: string): TermRecord | undefined {
    const row = this.db.prepare("SELECT * FROM terms WHERE school_year = ? AND label = ?").get(schoolYear, label);
    return row ? toTerm(row as Row) : undefined;
  }

  previousTerm(schoolYear: number, label: string): TermRecord | undefined {
    const { previous } = this.neighbours({ school_year: schoolYear, label, seq: this.seqFor(schoolYear, label) });
    return previous && toTerm(previous);
  }

  private neighbours(place: TermPlace): { previous?: Row; next?: Row } {
    const rows = this.statement("SELECT * FROM terms").all() as (Row & TermPlace)[];
    return termNeighbours(rows, place);
  }

  changeCounts(termId: number): Record<TierChange, number> {
    const counts: Record<TierChange, number> = { new: 0, up: 0, down: 0, same: 0 };
    for (const r of this.db.prepare("SELECT change, count(*) AS n FROM scores WHERE term_id = ? GROUP BY change").all(termId) as Row[]) {
      counts[r.change as TierChange] = r.n as number;
    }
    return counts;
  }

  tiersOf(termId: number): Map<string, RiskTier> {
    const tiers = new Map<string, RiskTier>();
    for (const r of this.db.prepare("SELECT student_id, milestone, tier FROM scores WHERE term_id = ?").iterate(termId) as Iterable<Row>) {
      tiers.set(tierKey(r.student_id as string, r.milestone as string), r.tier as RiskTier);
    }
    return tiers;
  }

  latestTerm(): TermRecord | undefined {
    const row = this.orderedTerms().at(-1);
    return row ? toTerm(row) : undefined;
  }

  rollups(termId: number, filter: RollupFilter = {}, scope: AccessScope = everything): RollupCell[] {
    const { where, values } = whereClause(filter);
    const visible = scopeClause(scope, "rollup");
    return this
      .statement(`SELECT * FROM rollups WHERE term_id = ?${where}${visible.where} ORDER BY ${rollupOrder}`)
      .all(termId, ...values, ...visible.values)
      .map((r) => toRollup(r as Row));
  }

  riskList(termId: number, filter: RiskListFilter = {}, scope: AccessScope = everything, page: RiskListPage = {}): ListedScore[] {
    const { where, values } = whereClause(filter);
    const visible = scopeClause(scope, "score");
    const ascending = page.sort === "risk_asc";
    const order = ascending ? "risk ASC, student_id, milestone" : "risk DESC, student_id, milestone";
    let after = "";
    const afterValues: unknown[] = [];
    if (page.after) {
      const { risk, student_id, milestone } = page.after;
      after = ascending
        ? " AND (risk > ? OR (risk = ? AND (student_id > ? OR (student_id = ? AND milestone > ?))))"
        : " AND (risk < ? OR (risk = ? AND (student_id > ? OR (student_id = ? AND milestone > ?))))";
      afterValues.push(risk, risk, student_id, student_id, milestone);
    }
    // Bound, not written into the SQL, so each page size does not make a statement of its own.
    const limit = page.limit === undefined ? "" : " LIMIT ?";
    const limitValues = page.limit === undefined ? [] : [Math.floor(page.limit)];
    // Rows as arrays, not objects: a page is hundreds of rows and the keyed objects were the
    // larger part of the query's time.
    return (
      this.statement(`SELECT ${listedColumns} FROM scores WHERE term_id = ?${where}${visible.where}${after} ORDER BY ${order}${limit}`)
        .raw(true)
        .all(termId, ...values, ...visible.values, ...afterValues, ...limitValues) as unknown[][]
    ).map(toListedScore);
  }

  studentDetail(termId: number, studentId: string, scope: AccessScope): StudentDetail | undefined {
    const visible = scopeClause(scope, "score");
    const rows = this
      .statement(`SELECT ${listedColumns}, indicators FROM scores WHERE term_id = ? AND student_id = ?${visible.where} ORDER BY milestone`)
      .all(termId, studentId, ...visible.values) as Row[];
    if (rows.length === 0) return undefined;
    // The student's history up to the term asked for, earlier schools included: the record
    // moves with the student, as each score's tier change already shows. Never a later term:
    // being in scope in an old term must not reveal where the student is now.
    const asked = this.statement("SELECT school_year, label, seq FROM terms WHERE id = ?").get(termId) as TermPlace;
    const history = this
      .statement(
        `SELECT s.term_id, t.school_year, t.label, t.seq, s.milestone, s.grade, s.risk, s.tier FROM scores s JOIN terms t ON t.id = s.term_id
         WHERE s.student_id = ? ORDER BY t.school_year, t.seq, s.milestone`,
      )
      .all(studentId) as (StudentDetail["history"][number] & { seq: number })[];
    const upToAsked = history.filter((h) => compareTerms(h, asked) <= 0).sort((a, b) => compareTerms(a, b) || (a.milestone < b.milestone ? -1 : 1));
    return { scores: rows.map(toScore), indicators: indicatorsOf(rows[0].indicators), history: upToAsked.map(({ seq: _, ...h }) => h) };
  }

  places(termId: number, scope: AccessScope): { district_id: string; school_id: string }[] {
    const visible = scopeClause(scope, "rollup");
    return this
      .statement(
        `SELECT DISTINCT district_id, school_id FROM rollups WHERE term_id = ? AND scope IN ('district', 'school')${visible.where} ORDER BY district_id, school_id`,
      )
      .all(termId, ...visible.values) as { district_id: string; school_id: string }[];
  }

  createToken(grant: TokenGrant, hash: string, createdAt: string, expiresAt: string | null): number {
    const result = this.db
      .prepare("INSERT INTO tokens (name, role, districts, schools, student_grant, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(grant.name, grant.role, JSON.stringify(grant.districts), JSON.stringify(grant.schools), grant.studentGrant ? 1 : 0, hash, createdAt, expiresAt);
    return Number(result.lastInsertRowid);
  }

  /** Looked up by hash whatever its state, so a refusal can say why: revoked, expired or unknown. */
  principalFor(hash: string, now: Date): TokenCheck {
    const r = this.statement("SELECT * FROM tokens WHERE hash = ?").get(hash) as Row | undefined;
    return tokenCheck(r && toTokenRecord(r), now);
  }

  listTokens(): TokenRecord[] {
    return (this.db.prepare("SELECT * FROM tokens ORDER BY id").all() as Row[]).map(toTokenRecord);
  }

  revokeToken(id: number, at: string): { token: TokenRecord; revokedNow: boolean } | undefined {
    const { changes } = this.db.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, id);
    const r = this.db.prepare("SELECT * FROM tokens WHERE id = ?").get(id) as Row | undefined;
    return r && { token: toTokenRecord(r), revokedNow: changes === 1 };
  }

  recordAudit(entry: AuditEntry): void {
    try {
      this.audit().record([entry]);
    } catch (error) {
      // Thrown before the response is sent: a read that cannot be audited is not served.
      throw storeFailure(error, auditLogFile(this.file), "recording the audit entry", "nothing was served");
    }
  }

  auditTrail(limit = 1000): (AuditEntry & { id: number })[] {
    return this.audit().trail(limit);
  }

  /** Opened on first use: a term run never touches the audit file, so it never locks it. */
  private audit(): AuditLog {
    if (!this.auditLog) {
      const file = auditLogFile(this.file);
      const begun = this.db.prepare("SELECT at FROM audit_trail_begun").get() as { at: string } | undefined;
      if (begun && file !== ":memory:" && !existsSync(file)) {
        throw new EwisError(
          "store_failed",
          `the audit trail begun ${begun.at} is missing; restore it from the backup taken with the store, or start a new, empty trail knowingly with \`ewis audit --start-new-trail\`; nothing was served`,
          { file },
        );
      }
      try {
        this.auditLog = new AuditLog(file);
        // After the file exists: a marker without its file would lock the trail for good.
        if (!begun) this.db.prepare("INSERT INTO audit_trail_begun (at) VALUES (?)").run(new Date().toISOString());
        moveOldAuditRows(this.db, this.auditLog);
      } catch (error) {
        this.auditLog?.close();
        this.auditLog = undefined;
        throw storeFailure(error, auditLogFile(this.file), "opening the audit trail");
      }
    }
    return this.auditLog;
  }

  publishTerm(term: TermToRecord, scores: readonly PublishedScore[], rollups: readonly RollupCell[]): TermRecord {
    return this.publishTermAsScored(term, (add) => {
      for (const score of scores) add(score);
      return { term, rollups };
    });
  }

  publishTermAsScored(
    place: { school_year: number; label: string },
    produce: (add: (score: PublishedScore) => void) => { term: TermToRecord; rollups: readonly RollupCell[] },
    beforeCommit?: () => void,
  ): TermRecord {
    const setColumns = termColumns.map((c) => `${c} = @${c}`).join(", ");
    // Positional parameters in `scoreColumns` order: a million named-parameter objects cost more than the insert.
    const insertScore = this.db.prepare(`INSERT INTO scores (term_id, ${scoreColumns.join(", ")}) VALUES (${["?", ...scoreColumns.map(() => "?")].join(", ")})`);
    const insertRollup = this.db.prepare(`INSERT INTO rollups (term_id, ${rollupColumns.join(", ")}) VALUES (@term_id, ${rollupColumns.map((c) => `@${c}`).join(", ")})`);
    const publish = this.db.transaction(() => {
      const existing = this.db.prepare("SELECT id FROM terms WHERE school_year = ? AND label = ?").get(place.school_year, place.label) as Row | undefined;
      const seq = this.seqFor(place.school_year, place.label);
      if (existing) {
        for (const table of ["scores", "rollups"]) this.db.prepare(`DELETE FROM ${table} WHERE term_id = ?`).run(existing.id);
        this.db.prepare("DELETE FROM terms WHERE id = ?").run(existing.id);
      }
      // The row is written first for its id and completed once the scores are in; nobody sees it before the commit.
      const id = Number(
        this.db
          .prepare(`INSERT INTO terms (id, seq, status, school_year, label, started_at, finished_at, rows_read, rows_accepted, rows_rejected, students_enrolled, students_scored, scores, not_scored, models, input_sha256, suppression_threshold)
                    VALUES (?, ?, 'published', ?, ?, '', '', 0, 0, 0, 0, 0, 0, '{}', '[]', '', 0)`)
          .run(existing?.id ?? null, seq, place.school_year, place.label).lastInsertRowid,
      );
      // Change columns are taken against the previous term as it stands inside this transaction.
      const { previous, next } = this.neighbours({ school_year: place.school_year, label: place.label, seq });
      const tiersBefore = previous ? this.tiersOf(previous.id as number) : new Map<string, RiskTier>();
      const values: unknown[] = new Array(scoreColumns.length + 1);
      values[0] = id;
      const { term, rollups } = produce((s) => {
        const before = tiersBefore.get(tierKey(s.student_id, s.milestone));
        for (let c = 0; c < scoreColumns.length; c++) values[c + 1] = scoreValues[scoreColumns[c]](s, before);
        insertScore.run(values);
      });
      const cellsBefore = new Map(previous ? this.rollups(previous.id as number).map((c) => [rollupKeyString(c), c]) : []);
      for (const c of rollups) {
        insertRollup.run({ term_id: id, ...c, ...rollupChange(c, cellsBefore.get(rollupKeyString(c))), suppressed: c.suppressed.join(","), suppressed_small: c.suppressed_small?.join(",") ?? null });
      }
      if (term.school_year !== place.school_year || term.label !== place.label) {
        throw new Error(`publishing ${place.school_year} ${place.label} but given the record of ${term.school_year} ${term.label}`);
      }
      this.db
        .prepare(`UPDATE terms SET ${setColumns} WHERE id = @id`)
        .run({ ...term, id, not_scored: JSON.stringify(term.not_scored), models: JSON.stringify(term.models) });
      // A backfill or a re-run: the term after this one is brought up to date with it, so no
      // published change points at a replaced version.
      if (next) this.refreshChanges(next as Row & TermPlace);
      beforeCommit?.();
      return id;
    });
    // The list indexes are written in student order, not their own: at a state's million
    // scores they outgrow SQLite's default 2 MB page cache, and every insert then spills and
    // re-reads index pages.
    const cacheSize = this.db.pragma("cache_size", { simple: true }) as number;
    this.db.pragma(`cache_size = ${PUBLISH_CACHE_KIB}`);
    let id: number;
    try {
      id = publish.immediate();
    } catch (error) {
      throw storeFailure(error, this.file, `publishing ${place.school_year} ${place.label}`, "it was rolled back, so the store holds what it held before");
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
    }
    // Fresh statistics so risk lists use the (term, school, risk) index instead of scanning
    // the term; the limit keeps ANALYZE quick on a state-sized store. The term is committed by
    // now, so a disk that fills here costs only the statistics, not the run.
    try {
      this.db.exec("PRAGMA analysis_limit = 1000; ANALYZE main;");
    } catch (error) {
      if (!isSqliteError(error)) throw error;
    }
    const record = this.findTerm(place.school_year, place.label);
    if (!record) throw new Error(`term ${id} was published but cannot be read back`);
    return record;
  }

  close(): void {
    this.auditLog?.close();
    this.db.close();
  }

  private refreshChanges(term: Row & TermPlace): void {
    const termId = term.id as number;
    const { previous } = this.neighbours(term);
    const tiers = previous ? this.tiersOf(previous.id as number) : new Map<string, RiskTier>();
    const setChange = this.db.prepare("UPDATE scores SET previous_tier = ?, change = ? WHERE term_id = ? AND student_id = ? AND milestone = ?");
    for (const r of this.db.prepare("SELECT student_id, milestone, tier FROM scores WHERE term_id = ?").all(termId) as Row[]) {
      const before = tiers.get(tierKey(r.student_id as string, r.milestone as string));
      setChange.run(before ?? null, tierChange(before, r.tier as RiskTier), termId, r.student_id, r.milestone);
    }
    const cellsBefore = new Map(previous ? this.rollups(previous.id as number).map((c) => [rollupKeyString(c), c]) : []);
    const setRollupChange = this.db.prepare(
      `UPDATE rollups SET mean_risk_change = ?, high_share_change = ? WHERE term_id = ? AND ${rollupOrder.split(", ").map((c) => `${c} = ?`).join(" AND ")}`,
    );
    for (const c of this.rollups(termId)) {
      const change = rollupChange(c, cellsBefore.get(rollupKeyString(c)));
      setRollupChange.run(change.mean_risk_change, change.high_share_change, termId, c.scope, c.district_id, c.school_id, c.milestone, c.grade, c.dimension, c.value);
    }
  }

  /** A term keeps its place when re-run; a new one goes after every term there is. */
  private seqFor(schoolYear: number, label: string): number {
    const row = this.db.prepare("SELECT seq FROM terms WHERE school_year = ? AND label = ?").get(schoolYear, label) as Row | undefined;
    if (row) return row.seq as number;
    return ((this.db.prepare("SELECT max(seq) AS seq FROM terms").get() as Row).seq as number | null ?? 0) + 1;
  }
}

const everything: AccessScope = { all: true };

/**
 * Scope as SQL: rows of the scope's districts or schools. A rollup row of a school belongs to
 * its district too; a district row only to the district; the state row only to `all`.
 */
function scopeClause(scope: AccessScope, rows: "score" | "rollup"): { where: string; values: string[] } {
  if (scope.all) return { where: "", values: [] };
  const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
  const parts: string[] = [];
  if (scope.districts.length > 0) parts.push(`district_id IN (${marks(scope.districts.length)})`);
  if (scope.schools.length > 0) parts.push(`school_id IN (${marks(scope.schools.length)})`);
  if (parts.length === 0) return { where: " AND 0", values: [] };
  const stateRow = rows === "rollup" ? " AND scope <> 'state'" : "";
  return { where: ` AND (${parts.join(" OR ")})${stateRow}`, values: [...scope.districts, ...scope.schools] };
}

/**
 * Indicator values as 8-byte floats in `indicatorNames` order (NaN = missing): a state's
 * million JSON objects cost 4 s to write and made each score row three times as wide.
 */
function indicatorBlob(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** A token row without its hash. */
function toTokenRecord(r: Row): TokenRecord {
  return {
    id: r.id as number,
    name: r.name as string,
    role: r.role as string,
    districts: JSON.parse(r.districts as string),
    schools: JSON.parse(r.schools as string),
    student_grant: r.student_grant === 1,
    created_at: r.created_at as string,
    expires_at: (r.expires_at as string | null) ?? null,
    revoked_at: (r.revoked_at as string | null) ?? null,
  };
}

/** A score's indicators by name (null = missing); terms published before the blob were JSON. */
function indicatorsOf(stored: unknown): Record<string, number | null> {
  if (typeof stored === "string") return JSON.parse(stored) as Record<string, number | null>;
  const bytes = stored as Buffer;
  if (bytes.length !== indicatorNames.length * 8) throw new Error(`stored indicators hold ${bytes.length / 8} values, expected ${indicatorNames.length}`);
  return Object.fromEntries(indicatorNames.map((name, k) => {
    const value = bytes.readDoubleLE(k * 8);
    return [name, Number.isNaN(value) ? null : value];
  }));
}

/** Only known column names reach the SQL text; values are bound. */
function whereClause(filter: object): { where: string; values: unknown[] } {
  const entries = Object.entries(filter).filter(([, v]) => v !== undefined);
  for (const [column] of entries) if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column: ${column}`);
  return { where: entries.map(([column]) => ` AND ${column} = ?`).join(""), values: entries.map(([, v]) => v) };
}

function toTerm(r: Row): TermRecord {
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

function toRollup(r: Row): RollupCell {
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

function toListedScore(r: unknown[]): ListedScore {
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

function toScore(r: Row): ListedScore {
  const subgroups = Object.fromEntries(subgroupDimensions.map((d) => [d, r[d] as string])) as PublishedScore["subgroups"];
  return {
    student_id: r.student_id as string,
    school_year: r.school_year as number,
    district_id: r.district_id as string,
    school_id: r.school_id as string,
    grade: r.grade as number,
    milestone: r.milestone as PublishedScore["milestone"],
    risk: r.risk as number,
    tier: r.tier as RiskTier,
    drivers: r.drivers as string,
    previous_tier: (r.previous_tier as RiskTier | null) ?? null,
    change: r.change as PublishedScore["change"],
    subgroups,
    prior: priorOf(r.prior),
    scoredWith: (r.scored_with as Milestone | null) ?? null,
  };
}

function priorOf(text: unknown): PriorMilestone | null {
  return typeof text === "string" ? (JSON.parse(text) as PriorMilestone) : null;
}
