import type { AccessScope, InterventionType, Note, NoteKind, Plan, PlanOutcome } from "../core/index.ts";

/** One entry of a plan's history: who did what, when. Never changed once written. */
export interface PlanEvent {
  id: number;
  plan_id: number;
  at: string;
  by: string;
  kind: "assigned" | "checked_in" | "changed" | "ended";
  /** What was said or changed: a check-in's note, the fields a change set, an outcome. */
  detail: Record<string, unknown>;
}

export type NewPlan = Omit<Plan, "id" | "version" | "last_check_in_on" | "ended_on" | "outcome">;

/** What a change to a plan may set. */
export interface PlanChange {
  owner?: string;
  goal?: string;
  planned_end?: string;
  check_in_days?: number;
  last_check_in_on?: string;
  ended_on?: string;
  outcome?: PlanOutcome;
}

export type NewNote = Omit<Note, "id">;

/**
 * Plans, their history, notes and the catalog of intervention types. Writes happen while a term
 * may be publishing: each store keeps them where a publish's locks do not reach (SQLite: a file
 * of their own; PostgreSQL: a pool of its own). Every write is one transaction.
 */
export interface CaseworkStore {
  addType(type: { id: string; label: string }, at: string): Promise<boolean>;
  retireType(id: string, at: string): Promise<boolean>;
  listTypes(): Promise<InterventionType[]>;

  createPlan(plan: NewPlan, event: Omit<PlanEvent, "id" | "plan_id" | "kind">): Promise<Plan>;
  planById(id: number): Promise<Plan | undefined>;
  /** The plans not ended yet of every student in scope (where each plan was made). */
  openPlansIn(scope: AccessScope): Promise<Plan[]>;
  /** Every plan in scope, open and ended, oldest first. */
  plansIn(scope: AccessScope): Promise<Plan[]>;
  /** Every plan of these students, active and ended, newest first. */
  plansOf(studentIds: readonly string[]): Promise<Plan[]>;
  /**
   * Applies `change` if the plan is still at `version`, and records `event` with it, in one
   * transaction: "conflict" when someone changed it since, undefined when there is no such plan.
   */
  changePlan(id: number, version: number, change: PlanChange, event: Omit<PlanEvent, "id" | "plan_id">): Promise<Plan | "conflict" | undefined>;
  eventsOf(planId: number): Promise<PlanEvent[]>;

  addNote(note: NewNote): Promise<Note>;
  /** A student's notes of these kinds, newest first. */
  notesOf(studentId: string, kinds: readonly NoteKind[]): Promise<Note[]>;
  /** How many notes of each kind a student has: a reader who may not read restricted ones learns that they exist. */
  noteCounts(studentId: string): Promise<Record<NoteKind, number>>;

}
