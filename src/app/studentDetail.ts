import { describeDriver, EwisError, type IndicatorName } from "../core/index.ts";
import { auditRead, studentScopeOf, termOf, termSummary, type ReadPorts } from "./readTerm.ts";
import { scoreView } from "./scoreView.ts";

/**
 * One student in a term, within the caller's scope: scores with drivers, indicator values in
 * words, tiers in earlier terms. Outside scope it is a 404, as a student who does not exist.
 */
export async function studentDetail(studentId: string, termId: number | undefined, ports: ReadPorts) {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, termId);
  const detail = await ports.reads.studentDetail(term.id, studentId, scope);
  if (!detail) throw new EwisError("not_found", `no student ${studentId} in your scope this term`);
  await auditRead(ports, "GET /students/:id", term, [studentId]);
  const first = detail.scores[0];
  const name = (await ports.reads.namesOf(term.id, [studentId])).get(studentId) ?? null;
  return {
    term: termSummary(term),
    student: { student_id: first.student_id, name, district_id: first.district_id, school_id: first.school_id, grade: first.grade, subgroups: first.subgroups },
    scores: detail.scores.map(scoreView),
    indicators: Object.entries(detail.indicators).map(([name, value]) => ({
      indicator: name,
      value,
      text: describeDriver(name as IndicatorName, value === null ? NaN : value),
    })),
    history: detail.history,
  };
}
