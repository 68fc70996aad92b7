import { checkInOverdue, nextCheckInDue, type AccessScope, type Plan } from "../core/index.ts";
import type { CaseworkStore } from "../store/caseworkStore.ts";
import type { RiskListFilter } from "../store/termStore.ts";

/** The list's casework filters: students with no plan open, or with a check-in past due. */
export const caseworkFilters = ["no_active_plan", "check_in_overdue"] as const;
export type CaseworkFilter = (typeof caseworkFilters)[number];

/** A student's open plans as a list row shows them. */
export interface PlanSummary {
  active_plans: number;
  next_check_in_due: string | null;
  check_in_overdue: boolean;
}

/** Each listed student's open plans: how many, the soonest check-in due, and whether any is past due on `today`. */
export async function planSummaries(casework: CaseworkStore, studentIds: readonly string[], today: string): Promise<Record<string, PlanSummary>> {
  const summaries: Record<string, PlanSummary> = {};
  if (studentIds.length === 0) return summaries;
  for (const plan of await casework.plansOf(studentIds)) {
    if (plan.ended_on !== null) continue;
    const s = (summaries[plan.student_id] ??= { active_plans: 0, next_check_in_due: null, check_in_overdue: false });
    s.active_plans++;
    const due = nextCheckInDue(plan);
    if (due !== null && (s.next_check_in_due === null || due < s.next_check_in_due)) s.next_check_in_due = due;
    s.check_in_overdue ||= checkInOverdue(plan, today);
  }
  return summaries;
}

/** The students a casework filter keeps, as the risk list's student filter, from the open plans in scope. */
export async function caseworkFilter(casework: CaseworkStore, filter: CaseworkFilter, scope: AccessScope, today: string): Promise<RiskListFilter["students"]> {
  const open: Plan[] = await casework.openPlansIn(scope);
  if (filter === "no_active_plan") return { except: [...new Set(open.map((p) => p.student_id))] };
  return { only: [...new Set(open.filter((p) => checkInOverdue(p, today)).map((p) => p.student_id))] };
}
