import { EwisError } from "./errors.ts";
import type { Principal } from "./access.ts";

/**
 * Casework: what the people who work with a student do about a flag. An intervention plan of a
 * type from the state's or district's catalog, with an owner, a goal and check-ins, ended with
 * an outcome; and dated notes, some restricted to the people closest to the student. Records
 * are history: a change is a new event, never an overwrite of what was said.
 */

/** One kind of intervention the state or district offers: attendance mentoring, tutoring, … */
export interface InterventionType {
  id: string;
  label: string;
  /** Retired types stay on the plans that used them; no new plan takes one. */
  retired_at: string | null;
}

export const planOutcomes = ["goal_met", "partly_met", "not_met", "discontinued", "moved_away"] as const;
export type PlanOutcome = (typeof planOutcomes)[number];

export interface Plan {
  id: number;
  student_id: string;
  /** Where the student was when the plan was made: whose plan it is, for scope. */
  district_id: string;
  school_id: string;
  type_id: string;
  owner: string;
  goal: string;
  starts_on: string;
  planned_end: string;
  check_in_days: number;
  last_check_in_on: string | null;
  ended_on: string | null;
  outcome: PlanOutcome | null;
  /** Bumped by every change: a change made against an older version is refused (409), never merged over. */
  version: number;
  created_at: string;
  created_by: string;
}

export const noteKinds = ["general", "restricted"] as const;
export type NoteKind = (typeof noteKinds)[number];

export interface Note {
  id: number;
  student_id: string;
  district_id: string;
  school_id: string;
  kind: NoteKind;
  text: string;
  written_by: string;
  written_at: string;
}

/**
 * Who may write casework: the people who work with students in their schools or district.
 * A state admin reads aggregates; with a student grant they may read plans, never write them.
 */
export function mayWriteCasework(p: Principal): boolean {
  return p.role === "counselor" || p.role === "school_admin" || p.role === "district_admin";
}

/**
 * Restricted notes (a family matter, a health detail) are for the people at the student's
 * school: counselors and school admins. District and state admins see that one exists, not
 * what it says.
 */
export function mayReadRestricted(p: Principal): boolean {
  return p.role === "counselor" || p.role === "school_admin";
}

export function requireCaseworkWriter(p: Principal): void {
  if (!mayWriteCasework(p)) throw new EwisError("forbidden", `a ${p.role} reads casework but does not write it`);
}

/** The day a retention purge cuts casework at: the first of school year `beforeYear` (July 1 of the year before). */
export const retentionDay = (beforeYear: number): string => `${beforeYear - 1}-07-01`;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` plus `days`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** When an active plan's next check-in is due: its check-in interval after the last one, or after it began. */
export function nextCheckInDue(plan: Pick<Plan, "ended_on" | "last_check_in_on" | "starts_on" | "check_in_days">): string | null {
  if (plan.ended_on !== null) return null;
  return addDays(plan.last_check_in_on ?? plan.starts_on, plan.check_in_days);
}

/** Whether an active plan's check-in is past due on `today` (`YYYY-MM-DD`). */
export function checkInOverdue(plan: Pick<Plan, "ended_on" | "last_check_in_on" | "starts_on" | "check_in_days">, today: string): boolean {
  const due = nextCheckInDue(plan);
  return due !== null && due < today;
}

export const isDay = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
