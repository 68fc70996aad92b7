import { riskListColumns, riskListLine } from "../io/scoresFile.ts";
import type { AccessScope } from "../core/index.ts";
import type { CaseworkStore } from "../store/caseworkStore.ts";
import type { RiskListFilter } from "../store/termStore.ts";
import { caseworkFilter, planSummaries, type CaseworkFilter } from "./planSummary.ts";
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
  /** Narrowed by casework: no plan open, or a check-in past due. */
  casework?: CaseworkFilter;
}

export type ListPorts = ReadPorts & { casework: CaseworkStore };

/** The query's filter with its casework filter turned into the students it keeps. */
async function filterOf(query: Omit<RiskListQuery, "cursor" | "limit">, ports: ListPorts, scope: AccessScope): Promise<RiskListFilter> {
  if (query.casework === undefined) return query.filter;
  return { ...query.filter, students: await caseworkFilter(ports.casework, query.casework, scope, ports.clock().toISOString().slice(0, 10)) };
}

const DEFAULT_PAGE = 50;

/** Each student once, for their names: a student is a row a milestone. */
export const distinctStudents = (rows: readonly { student_id: string }[]): string[] => [...new Set(rows.map((r) => r.student_id))];

/**
 * One page of a risk list, as JSON text, within the caller's student scope. A term's lists
 * never change once published, so pages are cached by term version, scope and query; casework
 * changes all day, so each page's open plans are read afresh and put in front of the kept text,
 * and a page narrowed by casework is never kept. Every read is audited, cached or not, before
 * it is answered.
 */
export async function riskListPage(query: RiskListQuery, ports: ListPorts & { pages: PageCache }): Promise<string> {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, query.term);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const limit = query.limit ?? DEFAULT_PAGE;
  const filter = await filterOf(query, ports, scope);
  const key = JSON.stringify([term.id, term.started_at, scope, query.filter, query.sort ?? null, after ?? null, limit]);
  let page = query.casework === undefined ? ports.pages.get(key) : undefined;
  if (!page) {
    const rows = await ports.reads.riskList(term.id, filter, scope, { sort: query.sort, after, limit: limit + 1 });
    const shown = rows.slice(0, limit);
    const names = await ports.reads.namesOf(term.id, distinctStudents(shown));
    const students = shown.map((s) => ({ ...scoreView(s), name: names.get(s.student_id) ?? null }));
    const body = { term: termSummary(term), students, next_cursor: rows.length > limit ? encodeCursor(shown[shown.length - 1]) : null };
    page = { json: JSON.stringify(body), students: shown.map((s) => s.student_id) };
    if (query.casework === undefined) ports.pages.set(key, page);
  }
  await auditRead(ports, query.auditAs ?? "GET /students", term, page.students);
  const plans = await planSummaries(ports.casework, [...new Set(page.students)], ports.clock().toISOString().slice(0, 10));
  return `{"plans":${JSON.stringify(plans)},${page.json.slice(1)}`;
}

/** The whole risk list as CSV, audited as one read of every student on it. */
export async function riskListExport(query: Omit<RiskListQuery, "cursor" | "limit">, ports: ListPorts) {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, query.term);
  const all = await ports.reads.riskList(term.id, await filterOf(query, ports, scope), scope, { sort: query.sort });
  await auditRead(ports, `${query.auditAs ?? "GET /students"} (csv)`, term, all.map((s) => s.student_id));
  const names = await ports.reads.namesOf(term.id, distinctStudents(all));
  const lines = [riskListColumns.join(",")];
  for (const s of all) lines.push(riskListLine(term.label, s, names.get(s.student_id)));
  return { term, csv: `${lines.join("\n")}\n` };
}
