import { EwisError, gradeLabel, type RollupCell } from "../core/index.ts";
import { writeLinesAtomic } from "../io/atomicWrite.ts";
import { csvField } from "../io/csvCell.ts";
import { riskListColumns, riskListLine } from "../io/scoresFile.ts";
import { distinctStudents } from "../app/riskList.ts";
import { withStores } from "../store/openStores.ts";
import type { Stores } from "../store/stores.ts";
import type { RiskListFilter, RollupFilter, TermReads, TermRecord } from "../store/termStore.ts";

/** Reads from the store at `db` on one snapshot; a store that is not there is an error, not a new empty one. */
export function readingStore<T>(db: string, read: (reads: TermReads, stores: Stores) => Promise<T>): Promise<T> {
  return withStores(db, { mustExist: true }, (stores) => stores.terms.reading((reads) => read(reads, stores)));
}

export async function publishedTerm(reads: TermReads, year: number, label: string, stores: Stores): Promise<TermRecord> {
  const term = await reads.findTerm(year, label);
  if (!term) throw new EwisError("invalid_argument", `no published term ${year} ${label}; \`ewis terms --db ${stores.location}\` lists them`, { file: stores.location });
  return term;
}

export async function termsCommand(options: { db: string }, log: (line: string) => void): Promise<void> {
  const { terms, location } = await readingStore(options.db, async (reads, stores) => ({ terms: await reads.listTerms(), location: stores.location }));
  if (terms.length === 0) {
    log(`no published terms in ${location}`);
    return;
  }
  log("year  term      status     scored/enrolled  scores   rows read/rejected  finished");
  for (const t of terms) {
    log(
      `${t.school_year}  ${t.label.padEnd(8)}  ${t.status}  ${`${t.students_scored}/${t.students_enrolled}`.padEnd(15)}  ${String(t.scores).padEnd(7)}  ` +
        `${`${t.rows_read}/${t.rows_rejected}`.padEnd(18)}  ${t.finished_at}`,
    );
  }
}

export interface ExportOptions extends RiskListFilter {
  db: string;
  year: number;
  term: string;
  out: string;
}


/** A counselor's risk list: highest risk first. */
export async function exportCommand(options: ExportOptions, log: (line: string) => void): Promise<void> {
  const { db, year, term: label, out, ...filter } = options;
  const { term, scores, names } = await readingStore(db, async (reads, stores) => {
    const term = await publishedTerm(reads, year, label, stores);
    const scores = await reads.riskList(term.id, filter);
    return { term, scores, names: await reads.namesOf(term.id, distinctStudents(scores)) };
  });
  const lines = [riskListColumns.join(",")];
  for (const s of scores) lines.push(riskListLine(term.label, s, names.get(s.student_id)));
  await writeLinesAtomic(out, lines);
  log(`${scores.length} scores of term ${term.school_year} ${term.label} written to ${out}`);
}

export interface RollupsOptions extends RollupFilter {
  db: string;
  year: number;
  term: string;
  out: string;
}

const rollupCsvColumns = [
  "scope", "district_id", "school_id", "milestone", "grade", "dimension", "value", "n", "low", "moderate", "high",
  "share_low", "share_moderate", "share_high", "mean_risk", "mean_risk_change", "high_share_change", "suppressed",
  "suppressed_small",
] as const satisfies readonly (keyof RollupCell)[];

/**
 * Suppressed numbers are written as blanks; `suppressed` names them and `suppressed_small`
 * those of them hidden for being small (the others protect a small one).
 */
function rollupLine(c: RollupCell): string {
  return rollupCsvColumns
    .map((column) => {
      const v = c[column];
      if (v === null) return "";
      if (Array.isArray(v)) return v.join(" ");
      return typeof v === "number" && !Number.isInteger(v) ? v.toFixed(6) : csvField(String(v));
    })
    .join(",");
}

export async function rollupsCommand(options: RollupsOptions, log: (line: string) => void): Promise<void> {
  const { db, year, term: label, out, ...filter } = options;
  const { term, cells } = await readingStore(db, async (reads, stores) => {
    const term = await publishedTerm(reads, year, label, stores);
    return { term, cells: await reads.rollups(term.id, filter) };
  });
  await writeLinesAtomic(out, [rollupCsvColumns.join(","), ...cells.map(rollupLine)]);
  log(`${cells.length} rollup cells of term ${term.school_year} ${term.label} written to ${out}`);
}
