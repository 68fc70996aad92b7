import { riskListColumns, riskListLine } from "../io/scoresFile.ts";
import type { RiskListFilter } from "../store/termStore.ts";
import type { PageCache } from "./pageCache.ts";
import { auditRead, studentScopeOf, termOf, termSummary, type ReadPorts } from "./readTerm.ts";
import { decodeCursor, encodeCursor } from "./riskListCursor.ts";
import { scoreView } from "./scoreView.ts";

export interface RiskListQuery {
  term?: number;
  filter: RiskListFilter;
  sort?: "risk_desc" | "risk_asc";
  cursor?: string;
  limit?: number;
  /** The route the audit trail names the read by. */
  auditAs?: string;
}

const DEFAULT_PAGE = 50;

/** Each student once, for their names: a student is a row a milestone. */
export const distinctStudents = (rows: readonly { student_id: string }[]): string[] => [...new Set(rows.map((r) => r.student_id))];

/**
 * One page of a risk list, as JSON text, within the caller's student scope. A term's lists
 * never change once published, so pages are cached by term version, scope and query; every
 * read is audited all the same, cached or not, before it is answered.
 */
export async function riskListPage(query: RiskListQuery, ports: ReadPorts & { pages: PageCache }): Promise<string> {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, query.term);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const limit = query.limit ?? DEFAULT_PAGE;
  const key = JSON.stringify([term.id, term.started_at, scope, query.filter, query.sort ?? null, after ?? null, limit]);
  let page = ports.pages.get(key);
  if (!page) {
    const rows = await ports.reads.riskList(term.id, query.filter, scope, { sort: query.sort, after, limit: limit + 1 });
    const shown = rows.slice(0, limit);
    const names = await ports.reads.namesOf(term.id, distinctStudents(shown));
    const students = shown.map((s) => ({ ...scoreView(s), name: names.get(s.student_id) ?? null }));
    const body = { term: termSummary(term), students, next_cursor: rows.length > limit ? encodeCursor(shown[shown.length - 1]) : null };
    page = { json: JSON.stringify(body), students: shown.map((s) => s.student_id) };
    ports.pages.set(key, page);
  }
  await auditRead(ports, query.auditAs ?? "GET /students", term, page.students);
  return page.json;
}

/** The whole risk list as CSV, audited as one read of every student on it. */
export async function riskListExport(query: Omit<RiskListQuery, "cursor" | "limit">, ports: ReadPorts) {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, query.term);
  const all = await ports.reads.riskList(term.id, query.filter, scope, { sort: query.sort });
  await auditRead(ports, `${query.auditAs ?? "GET /students"} (csv)`, term, all.map((s) => s.student_id));
  const names = await ports.reads.namesOf(term.id, distinctStudents(all));
  const lines = [riskListColumns.join(",")];
  for (const s of all) lines.push(riskListLine(term.label, s, names.get(s.student_id)));
  return { term, csv: `${lines.join("\n")}\n` };
}
