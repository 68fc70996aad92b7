import { compareTerms, EwisError, termNeighbours, termSeq, tierKey, type AccessScope, type RiskTier, type RollupCell, type StudentName, type TermPlace, type TierChange } from "../../core/index.ts";
import type { ListedScore, RiskListFilter, RiskListPage, RollupFilter, StudentDetail, TermReads, TermRecord } from "../termStore.ts";
import { indicatorsOf, listedColumns, rollupOrder, toListedScore, toRollup, toScore, toTerm } from "./rows.ts";
import { everything, scopeClause, whereClause } from "./scopeSql.ts";
import { idBatches, marks } from "./idBatches.ts";
import { firstRow, type Row, type SqlRunner } from "./sqlRunner.ts";

/** Every term row in calendar order (`compareTerms`); a handful per year, so sorted here. */
export async function orderedTerms(sql: SqlRunner): Promise<(Row & TermPlace)[]> {
  return ((await sql.rows("SELECT * FROM terms")) as (Row & TermPlace)[]).sort(compareTerms);
}

export async function tiersOf(sql: SqlRunner, termId: number): Promise<Map<string, RiskTier>> {
  const tiers = new Map<string, RiskTier>();
  for (const [student, milestone, tier] of await sql.arrays("SELECT student_id, milestone, tier FROM scores WHERE term_id = ?", [termId])) {
    tiers.set(tierKey(student as string, milestone as string), tier as RiskTier);
  }
  return tiers;
}

export async function rollupsOf(sql: SqlRunner, termId: number, filter: RollupFilter = {}, scope: AccessScope = everything): Promise<RollupCell[]> {
  const { where, values } = whereClause(filter);
  const visible = scopeClause(scope, "rollup");
  const rows = await sql.rows(`SELECT * FROM rollups WHERE term_id = ?${where}${visible.where} ORDER BY ${rollupOrder}`, [termId, ...values, ...visible.values]);
  return rows.map(toRollup);
}

/** `LIKE`'s own characters in a search, taken as themselves. */
const likeText = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Students named by a search (already `nameSearchText`): first or last name starting with it,
 * "first last" or "last, first" starting with it, or the district's local id exactly. The
 * lower-cased names and ids were written by ewis at publish, so both stores match alike. By
 * the names' key from each score, so a school's list looks up its own students, not the term's.
 */
function nameClause(search: string): { where: string; values: unknown[] } {
  const prefix = `${likeText(search)}%`;
  const like = (column: string) => `${column} LIKE ? ESCAPE '\\'`;
  return {
    where:
      ` AND EXISTS (SELECT 1 FROM names n WHERE n.term_id = scores.term_id AND n.student_id = scores.student_id AND (${like("n.last_lower")} OR ${like("n.first_lower")}` +
      ` OR ${like("n.first_lower || ' ' || n.last_lower")} OR ${like("n.last_lower || ', ' || n.first_lower")} OR n.local_lower = ?))`,
    values: [prefix, prefix, prefix, prefix, search],
  };
}

/** The most students a list may be narrowed to or by: well inside both stores' bound parameters. */
export const MAX_LISTED_STUDENTS = 20_000;

function studentsClause(students: RiskListFilter["students"]): { where: string; values: unknown[] } {
  if (students === undefined) return { where: "", values: [] };
  const ids = "only" in students ? students.only : students.except;
  if (ids.length > MAX_LISTED_STUDENTS) throw new EwisError("invalid_argument", `more than ${MAX_LISTED_STUDENTS} students to filter by at this scope: choose a district or a school`);
  if (ids.length === 0) return { where: "only" in students ? " AND 1 = 0" : "", values: [] };
  return { where: ` AND student_id ${"only" in students ? "IN" : "NOT IN"} (${ids.map(() => "?").join(", ")})`, values: [...ids] };
}

/** How many ids one names query binds (`idBatches`). */
const NAME_BATCHES = [1, 10, 50, 100, 500, 1_000];

/** The reads of `TermReads` in the SQL both stores speak, over one connection or snapshot. */
export class SqlTermReads implements TermReads {
  constructor(protected readonly sql: SqlRunner) {}

  async listTerms(): Promise<TermRecord[]> {
    return (await orderedTerms(this.sql)).map(toTerm);
  }

  async findTerm(schoolYear: number, label: string): Promise<TermRecord | undefined> {
    const row = await firstRow(this.sql, "SELECT * FROM terms WHERE school_year = ? AND label = ?", [schoolYear, label]);
    return row && toTerm(row);
  }

  async latestTerm(): Promise<TermRecord | undefined> {
    const row = (await orderedTerms(this.sql)).at(-1);
    return row && toTerm(row);
  }

  async previousTerm(schoolYear: number, label: string): Promise<TermRecord | undefined> {
    const terms = await orderedTerms(this.sql);
    const { previous } = termNeighbours(terms, { school_year: schoolYear, label, seq: termSeq(terms, schoolYear, label) });
    return previous && toTerm(previous);
  }

  async changeCounts(termId: number): Promise<Record<TierChange, number>> {
    const counts: Record<TierChange, number> = { new: 0, up: 0, down: 0, same: 0 };
    for (const [change, n] of await this.sql.arrays("SELECT change, CAST(count(*) AS INTEGER) FROM scores WHERE term_id = ? GROUP BY change", [termId])) {
      counts[change as TierChange] = n as number;
    }
    return counts;
  }

  tiersOf(termId: number): Promise<Map<string, RiskTier>> {
    return tiersOf(this.sql, termId);
  }

  rollups(termId: number, filter: RollupFilter = {}, scope: AccessScope = everything): Promise<RollupCell[]> {
    return rollupsOf(this.sql, termId, filter, scope);
  }

  async riskList(termId: number, filter: RiskListFilter = {}, scope: AccessScope = everything, page: RiskListPage = {}): Promise<ListedScore[]> {
    const { name, students, ...columns } = filter;
    const { where: columnsWhere, values: columnValues } = whereClause(columns);
    const named = name === undefined ? { where: "", values: [] } : nameClause(name);
    const chosen = studentsClause(students);
    const where = columnsWhere + named.where + chosen.where;
    const values = [...columnValues, ...named.values, ...chosen.values];
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
    const rows = await this.sql.arrays(
      `SELECT ${listedColumns} FROM scores WHERE term_id = ?${where}${visible.where}${after} ORDER BY ${order}${limit}`,
      [termId, ...values, ...visible.values, ...afterValues, ...limitValues],
    );
    return rows.map(toListedScore);
  }

  async studentDetail(termId: number, studentId: string, scope: AccessScope): Promise<StudentDetail | undefined> {
    const visible = scopeClause(scope, "score");
    const rows = await this.sql.rows(`SELECT ${listedColumns}, indicators FROM scores WHERE term_id = ? AND student_id = ?${visible.where} ORDER BY milestone`, [
      termId,
      studentId,
      ...visible.values,
    ]);
    if (rows.length === 0) return undefined;
    // The student's history up to the term asked for, earlier schools included: the record
    // moves with the student, as each score's tier change already shows. Never a later term:
    // being in scope in an old term must not reveal where the student is now.
    const asked = (await firstRow(this.sql, "SELECT school_year, label, seq FROM terms WHERE id = ?", [termId])) as unknown as TermPlace;
    const history = (await this.sql.rows(
      `SELECT s.term_id, t.school_year, t.label, t.seq, s.milestone, s.grade, s.risk, s.tier FROM scores s JOIN terms t ON t.id = s.term_id
       WHERE s.student_id = ?`,
      [studentId],
    )) as unknown as (StudentDetail["history"][number] & { seq: number })[];
    const upToAsked = history.filter((h) => compareTerms(h, asked) <= 0).sort((a, b) => compareTerms(a, b) || (a.milestone < b.milestone ? -1 : 1));
    return { scores: rows.map(toScore), indicators: indicatorsOf(rows[0].indicators), history: upToAsked.map(({ seq: _, ...h }) => h) };
  }

  async namesOf(termId: number, studentIds: readonly string[]): Promise<Map<string, StudentName>> {
    const names = new Map<string, StudentName>();
    for (const ids of idBatches(studentIds, NAME_BATCHES)) {
      const rows = await this.sql.arrays(`SELECT student_id, first_name, last_name, local_id FROM names WHERE term_id = ? AND student_id IN (${marks(ids)})`, [termId, ...ids]);
      for (const [id, first_name, last_name, local_id] of rows) names.set(id as string, { first_name: first_name as string, last_name: last_name as string, local_id: (local_id as string | null) ?? null });
    }
    return names;
  }

  async places(termId: number, scope: AccessScope): Promise<{ district_id: string; school_id: string }[]> {
    const visible = scopeClause(scope, "rollup");
    return (await this.sql.rows(
      `SELECT DISTINCT district_id, school_id FROM rollups WHERE term_id = ? AND scope IN ('district', 'school')${visible.where} ORDER BY district_id, school_id`,
      [termId, ...visible.values],
    )) as { district_id: string; school_id: string }[];
  }
}
