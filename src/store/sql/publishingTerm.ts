import { termNeighbours, termSeq, type PublishedScore, type RiskTier, type RollupCell } from "../../core/index.ts";
import type { NamedStudent, PublishingTerm, TermRecord, TermToRecord, TierMove } from "../termStore.ts";
import { termColumns, toTerm } from "./rows.ts";
import { orderedTerms, rollupsOf, tiersOf } from "./termReads.ts";
import { firstRow, type SqlRunner } from "./sqlRunner.ts";

/** How a store writes rows in bulk: SQLite with a prepared statement a row, PostgreSQL a batch a statement. */
export interface BulkWriter {
  addScores(termId: number, scores: readonly PublishedScore[]): Promise<void>;
  addRollups(termId: number, cells: readonly RollupCell[]): Promise<void>;
  addNames(termId: number, names: readonly NamedStudent[]): Promise<void>;
  setTierMoves(termId: number, moves: readonly TierMove[]): Promise<void>;
  setRollupChanges(termId: number, cells: readonly RollupCell[]): Promise<void>;
}

const blankTerm = "'published', ?, ?, '', '', 0, 0, 0, 0, 0, 0, '{}', '[]', '', 0";
const termRowColumns = "status, school_year, label, started_at, finished_at, rows_read, rows_accepted, rows_rejected, students_enrolled, students_scored, scores, not_scored, models, input_sha256, suppression_threshold";

/**
 * The steps of a publish, inside the store's transaction and the same for both stores: the
 * term's old version goes, its row is written first for its id (and completed once `write`
 * has filled it; nobody sees it before the commit), and `write` is handed the term with its
 * neighbours as they stand inside the transaction. Resolves to the term's id.
 */
export async function publishInside(
  sql: SqlRunner,
  bulk: BulkWriter,
  place: { school_year: number; label: string },
  write: (term: PublishingTerm) => Promise<TermToRecord>,
  beforeCommit?: () => void,
): Promise<number> {
  const terms = await orderedTerms(sql);
  const existing = terms.find((t) => t.school_year === place.school_year && t.label === place.label);
  const seq = termSeq(terms, place.school_year, place.label);
  let id: number;
  if (existing) {
    id = existing.id as number;
    for (const table of ["scores", "rollups", "names"]) await sql.run(`DELETE FROM ${table} WHERE term_id = ?`, [id]);
    await sql.run("DELETE FROM terms WHERE id = ?", [id]);
    await sql.run(`INSERT INTO terms (id, seq, ${termRowColumns}) VALUES (?, ?, ${blankTerm})`, [id, seq, place.school_year, place.label]);
  } else {
    const row = await firstRow(sql, `INSERT INTO terms (seq, ${termRowColumns}) VALUES (?, ${blankTerm}) RETURNING id`, [seq, place.school_year, place.label]);
    id = row!.id as number;
  }
  const { previous, next } = termNeighbours(terms, { school_year: place.school_year, label: place.label, seq });
  const record = await write(new SqlPublishingTerm(sql, bulk, id, previous && toTerm(previous), next && toTerm(next)));
  if (record.school_year !== place.school_year || record.label !== place.label) {
    throw new Error(`publishing ${place.school_year} ${place.label} but given the record of ${record.school_year} ${record.label}`);
  }
  const values = termColumns.map((c) => (c === "not_scored" || c === "models" ? JSON.stringify(record[c]) : record[c]));
  await sql.run(`UPDATE terms SET ${termColumns.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`, [...values, id]);
  beforeCommit?.();
  return id;
}

class SqlPublishingTerm implements PublishingTerm {
  constructor(
    private readonly sql: SqlRunner,
    private readonly bulk: BulkWriter,
    readonly id: number,
    readonly previous: TermRecord | undefined,
    readonly next: TermRecord | undefined,
  ) {}

  tiersOf(termId: number): Promise<Map<string, RiskTier>> {
    return tiersOf(this.sql, termId);
  }

  rollupsOf(termId: number): Promise<RollupCell[]> {
    return rollupsOf(this.sql, termId);
  }

  addScores(scores: readonly PublishedScore[]): Promise<void> {
    return this.bulk.addScores(this.id, scores);
  }

  addRollups(cells: readonly RollupCell[]): Promise<void> {
    return this.bulk.addRollups(this.id, cells);
  }

  addNames(names: readonly NamedStudent[]): Promise<void> {
    return this.bulk.addNames(this.id, names);
  }

  setTierMoves(termId: number, moves: readonly TierMove[]): Promise<void> {
    return this.bulk.setTierMoves(termId, moves);
  }

  setRollupChanges(termId: number, cells: readonly RollupCell[]): Promise<void> {
    return this.bulk.setRollupChanges(termId, cells);
  }
}
