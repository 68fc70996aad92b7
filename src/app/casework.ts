import {
  checkInOverdue,
  EwisError,
  inScope,
  isDay,
  mayReadRestricted,
  nextCheckInDue,
  requireCaseworkWriter,
  type NoteKind,
  type Plan,
  type PlanOutcome,
} from "../core/index.ts";
import type { CaseworkStore, PlanChange, PlanEvent } from "../store/caseworkStore.ts";
import { csvField } from "../io/csvCell.ts";
import type { TermRecord } from "../store/termStore.ts";
import { auditRead, studentScopeOf, termOf, termSummary, type ReadPorts } from "./readTerm.ts";

/** What every casework use case is given: the read ports (scope is judged on the latest term) and the casework store. */
export interface CaseworkPorts extends ReadPorts {
  casework: CaseworkStore;
}

/** Who did it, as the plan's history and the notes name them. */
const byWhom = (ports: CaseworkPorts) => `${ports.principal.name} (${ports.principal.role})`;
const today = (ports: CaseworkPorts) => ports.clock().toISOString().slice(0, 10);

/**
 * The student's place in the latest term, if the caller may see them there: casework follows
 * the student's current school. Anyone else gets the 404 a student who does not exist gets.
 */
async function studentInScope(ports: CaseworkPorts, studentId: string) {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, undefined);
  const detail = await ports.reads.studentDetail(term.id, studentId, scope);
  if (!detail) throw new EwisError("not_found", `no student ${studentId} in your scope this term`);
  const { district_id, school_id } = detail.scores[0];
  return { term, district_id, school_id, detail };
}

/**
 * Where the student stood when a plan began and where they stand now, for each milestone they
 * are scored on: the tier of the latest term published before the plan began (or was recorded,
 * if that was earlier), against the latest term's. Null while no term has been published since.
 */
function tiersSinceStart(plan: Plan, terms: readonly TermRecord[], place: Awaited<ReturnType<typeof studentInScope>>) {
  const cutoff = [plan.created_at, `${plan.starts_on}T23:59:59.999Z`].sort()[0];
  const then = terms.filter((t) => t.finished_at <= cutoff).sort((a, b) => (a.finished_at < b.finished_at ? 1 : -1))[0];
  if (!then || then.id === place.term.id) return null;
  const tiers = place.detail.scores.map((s) => ({
    milestone: s.milestone,
    then: place.detail.history.find((h) => h.term_id === then.id && h.milestone === s.milestone)?.tier ?? null,
    now: s.tier,
  }));
  return { then: termSummary(then), now: termSummary(place.term), tiers };
}

/** A plan the caller may see: in their scope where it was made. Outside it, a 404 as for a plan that does not exist. */
async function planInScope(ports: CaseworkPorts, planId: number): Promise<Plan> {
  const scope = studentScopeOf(ports.principal);
  const plan = await ports.casework.planById(planId);
  if (!plan || !inScope(scope, plan)) throw new EwisError("not_found", `no plan ${planId} in your scope`);
  return plan;
}

/** A plan as the API shows it: when its next check-in is due, and whether that is past. */
export function planView(plan: Plan, on: string) {
  return { ...plan, next_check_in_due: nextCheckInDue(plan), check_in_overdue: checkInOverdue(plan, on) };
}

export interface NewPlanInput {
  type: string;
  owner: string;
  goal: string;
  starts_on: string;
  planned_end: string;
  check_in_days: number;
}

function checkDays(starts: string, ends: string): void {
  if (!isDay(starts)) throw new EwisError("invalid_argument", "starts_on: must be a date, YYYY-MM-DD");
  if (!isDay(ends)) throw new EwisError("invalid_argument", "planned_end: must be a date, YYYY-MM-DD");
  if (ends < starts) throw new EwisError("invalid_argument", "planned_end: must not be before starts_on");
}

/** Assigns an intervention to a student in scope; audited as a write about that student. */
export async function assignPlan(ports: CaseworkPorts, studentId: string, input: NewPlanInput) {
  requireCaseworkWriter(ports.principal);
  const place = await studentInScope(ports, studentId);
  const type = (await ports.casework.listTypes()).find((t) => t.id === input.type);
  if (!type) throw new EwisError("invalid_argument", `type: no intervention "${input.type}" in the catalog`);
  if (type.retired_at !== null) throw new EwisError("invalid_argument", `type: "${input.type}" was retired from the catalog on ${type.retired_at.slice(0, 10)}`);
  checkDays(input.starts_on, input.planned_end);
  const at = ports.clock().toISOString();
  const plan = await ports.casework.createPlan(
    {
      student_id: studentId,
      district_id: place.district_id,
      school_id: place.school_id,
      type_id: type.id,
      owner: input.owner,
      goal: input.goal,
      starts_on: input.starts_on,
      planned_end: input.planned_end,
      check_in_days: input.check_in_days,
      created_at: at,
      created_by: byWhom(ports),
    },
    { at, by: byWhom(ports), detail: { type: type.id, owner: input.owner, goal: input.goal, starts_on: input.starts_on, planned_end: input.planned_end, check_in_days: input.check_in_days } },
  );
  await auditRead(ports, "POST /students/:id/plans", place.term, [studentId]);
  return { plan: planView(plan, today(ports)) };
}

/** Applies a change made against `version`; a plan changed since answers 409 with what it is now. */
async function change(ports: CaseworkPorts, planId: number, version: number, set: PlanChange, kind: PlanEvent["kind"], detail: Record<string, unknown>, route: string) {
  requireCaseworkWriter(ports.principal);
  const plan = await planInScope(ports, planId);
  if (plan.ended_on !== null) throw new EwisError("conflict", `plan ${planId} ended on ${plan.ended_on}; assign a new one`);
  const changed = await ports.casework.changePlan(planId, version, set, { at: ports.clock().toISOString(), by: byWhom(ports), kind, detail });
  if (changed === undefined) throw new EwisError("not_found", `no plan ${planId} in your scope`);
  if (changed === "conflict") {
    const now = await ports.casework.planById(planId);
    throw new EwisError("conflict", `plan ${planId} was changed since you read it (it is at version ${now?.version}); read it again, then make your change`);
  }
  await auditRead(ports, route, await termOf(ports.reads, undefined), [plan.student_id]);
  return { plan: planView(changed, today(ports)) };
}

export function checkIn(ports: CaseworkPorts, planId: number, input: { version: number; on: string; note: string }) {
  if (!isDay(input.on)) throw new EwisError("invalid_argument", "on: must be a date, YYYY-MM-DD");
  return change(ports, planId, input.version, { last_check_in_on: input.on }, "checked_in", { on: input.on, note: input.note }, "POST /plans/:id/check-ins");
}

export function revisePlan(ports: CaseworkPorts, planId: number, input: { version: number } & Pick<PlanChange, "owner" | "goal" | "planned_end" | "check_in_days">) {
  const { version, ...set } = input;
  if (Object.values(set).every((v) => v === undefined)) throw new EwisError("invalid_argument", "nothing to change: give owner, goal, planned_end or check_in_days");
  if (set.planned_end !== undefined && !isDay(set.planned_end)) throw new EwisError("invalid_argument", "planned_end: must be a date, YYYY-MM-DD");
  return change(ports, planId, version, set, "changed", set, "POST /plans/:id/revisions");
}

export function endPlan(ports: CaseworkPorts, planId: number, input: { version: number; on: string; outcome: PlanOutcome; note: string }) {
  if (!isDay(input.on)) throw new EwisError("invalid_argument", "on: must be a date, YYYY-MM-DD");
  return change(ports, planId, input.version, { ended_on: input.on, outcome: input.outcome }, "ended", { on: input.on, outcome: input.outcome, note: input.note }, "POST /plans/:id/end");
}

/** A student's plans, newest first, each with its history: read only within scope, and audited. */
export async function plansOfStudent(ports: CaseworkPorts, studentId: string) {
  const place = await studentInScope(ports, studentId);
  const plans = await ports.casework.plansOf([studentId]);
  await auditRead(ports, "GET /students/:id/plans", place.term, [studentId]);
  const on = today(ports);
  const terms = await ports.reads.listTerms();
  return {
    plans: await Promise.all(plans.map(async (p) => ({ ...planView(p, on), since_start: tiersSinceStart(p, terms, place), history: await ports.casework.eventsOf(p.id) }))),
  };
}

/** Writes a note; only a role that may read restricted notes may write one. */
export async function writeNote(ports: CaseworkPorts, studentId: string, input: { kind: NoteKind; text: string }) {
  requireCaseworkWriter(ports.principal);
  if (input.kind === "restricted" && !mayReadRestricted(ports.principal)) {
    throw new EwisError("forbidden", `a ${ports.principal.role} may not write restricted notes: they are for the student's counselors and school admins`);
  }
  const place = await studentInScope(ports, studentId);
  const note = await ports.casework.addNote({
    student_id: studentId,
    district_id: place.district_id,
    school_id: place.school_id,
    kind: input.kind,
    text: input.text,
    written_by: byWhom(ports),
    written_at: ports.clock().toISOString(),
  });
  await auditRead(ports, "POST /students/:id/notes", place.term, [studentId]);
  return { note };
}

/** The notes the caller's role may read, newest first, and how many restricted ones they may not: every read audited. */
export async function notesOfStudent(ports: CaseworkPorts, studentId: string) {
  const place = await studentInScope(ports, studentId);
  const restricted = mayReadRestricted(ports.principal);
  const notes = await ports.casework.notesOf(studentId, restricted ? ["general", "restricted"] : ["general"]);
  const counts = await ports.casework.noteCounts(studentId);
  await auditRead(ports, "GET /students/:id/notes", place.term, [studentId]);
  return { notes, restricted_not_shown: restricted ? 0 : counts.restricted };
}

export const planCsvColumns = [
  "plan_id", "student_id", "first_name", "last_name", "district_id", "school_id", "intervention", "owner", "goal", "starts_on", "planned_end",
  "check_in_days", "last_check_in_on", "next_check_in_due", "check_in_overdue", "ended_on", "outcome", "created_at", "created_by",
] as const;

/**
 * Every plan in the caller's scope as CSV, for a principal's or a district's own follow-up:
 * with the students' roster names of the latest term, audited as a read of every student on it.
 */
export async function plansExport(ports: CaseworkPorts) {
  const scope = studentScopeOf(ports.principal);
  const term = await termOf(ports.reads, undefined);
  const plans = await ports.casework.plansIn(scope);
  const students = [...new Set(plans.map((p) => p.student_id))];
  await auditRead(ports, "GET /plans (csv)", term, students);
  const names = await ports.reads.namesOf(term.id, students);
  const on = today(ports);
  const lines = [planCsvColumns.join(",")];
  for (const p of plans) {
    const name = names.get(p.student_id);
    const cells = [
      String(p.id), p.student_id, name?.first_name ?? "", name?.last_name ?? "", p.district_id, p.school_id, p.type_id, p.owner, p.goal, p.starts_on, p.planned_end,
      String(p.check_in_days), p.last_check_in_on ?? "", nextCheckInDue(p) ?? "", String(checkInOverdue(p, on)), p.ended_on ?? "", p.outcome ?? "", p.created_at, p.created_by,
    ];
    lines.push(cells.map(csvField).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** The catalog: every type, retired ones marked (old plans still name them). */
export async function interventionCatalog(casework: CaseworkStore) {
  return { interventions: await casework.listTypes() };
}
