import { EwisError, studentScope, type AccessScope, type Principal } from "../core/index.ts";
import type { AuditEntry, AuditTrail } from "../store/auditTrail.ts";
import type { TermReads, TermRecord } from "../store/termStore.ts";

/** What every read use case is given: one snapshot of the terms, the audit trail, the caller and a clock. */
export interface ReadPorts {
  reads: TermReads;
  audit: AuditTrail;
  principal: Principal;
  clock: () => Date;
}

/** The term asked for, or the latest; a term that does not exist is a 404. */
export async function termOf(reads: TermReads, termId: number | undefined): Promise<TermRecord> {
  const term = termId === undefined ? await reads.latestTerm() : (await reads.listTerms()).find((t) => t.id === termId);
  if (!term) throw new EwisError("not_found", termId === undefined ? "no term has been published yet" : `no published term ${termId}`);
  return term;
}

export const termSummary = (t: TermRecord) => ({ id: t.id, school_year: t.school_year, label: t.label, finished_at: t.finished_at });

export function studentScopeOf(principal: Principal): AccessScope {
  const scope = studentScope(principal);
  if (!scope) throw new EwisError("forbidden", "your role sees rollups, not individual students (a state admin needs a student grant)");
  return scope;
}

/** Records who read which students; resolves before the answer may be sent. */
export function auditRead(ports: ReadPorts, route: string, term: TermRecord, students: readonly string[]): Promise<void> {
  const entry: AuditEntry = {
    at: ports.clock().toISOString(),
    token_id: ports.principal.tokenId,
    user_id: ports.principal.userId,
    token_name: ports.principal.name,
    role: ports.principal.role,
    route,
    term_id: term.id,
    students: [...new Set(students)],
  };
  return ports.audit.record(entry);
}
