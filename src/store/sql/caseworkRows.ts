import type { AccessScope, InterventionType, Note, NoteKind, Plan, PlanOutcome } from "../../core/index.ts";
import type { CaseworkStore, NewNote, NewPlan, PlanChange, PlanEvent } from "../caseworkStore.ts";
import { idBatches, marks } from "./idBatches.ts";
import { scopeClause } from "./scopeSql.ts";
import { firstRow, type Row, type SqlRunner } from "./sqlRunner.ts";

/** A connection that can run work in one transaction: committed whole, or rolled back on any error. */
export interface Transactor {
  readonly sql: SqlRunner;
  transaction<T>(work: (sql: SqlRunner) => Promise<T>): Promise<T>;
}

const planColumns = [
  "student_id", "district_id", "school_id", "type_id", "owner", "goal", "starts_on", "planned_end", "check_in_days", "created_at", "created_by",
] as const;
const changeable = ["owner", "goal", "planned_end", "check_in_days", "last_check_in_on", "ended_on", "outcome"] as const satisfies readonly (keyof PlanChange)[];

function toPlan(r: Row): Plan {
  return {
    id: Number(r.id),
    student_id: r.student_id as string,
    district_id: r.district_id as string,
    school_id: r.school_id as string,
    type_id: r.type_id as string,
    owner: r.owner as string,
    goal: r.goal as string,
    starts_on: r.starts_on as string,
    planned_end: r.planned_end as string,
    check_in_days: Number(r.check_in_days),
    last_check_in_on: (r.last_check_in_on as string | null) ?? null,
    ended_on: (r.ended_on as string | null) ?? null,
    outcome: (r.outcome as PlanOutcome | null) ?? null,
    version: Number(r.version),
    created_at: r.created_at as string,
    created_by: r.created_by as string,
  };
}

const toNote = (r: Row): Note => ({
  id: Number(r.id),
  student_id: r.student_id as string,
  district_id: r.district_id as string,
  school_id: r.school_id as string,
  kind: r.kind as NoteKind,
  text: r.text as string,
  written_by: r.written_by as string,
  written_at: r.written_at as string,
});

const toEvent = (r: Row): PlanEvent => ({
  id: Number(r.id),
  plan_id: Number(r.plan_id),
  at: r.at as string,
  by: r.by_name as string,
  kind: r.kind as PlanEvent["kind"],
  detail: JSON.parse(r.detail as string) as Record<string, unknown>,
});

/** How many ids a plans lookup binds at once (`idBatches`). */
const ID_BATCHES = [1, 10, 50, 100, 500];

/** `CaseworkStore` in the SQL both stores speak, over whichever connection keeps casework. */
export class SqlCaseworkStore implements CaseworkStore {
  constructor(private readonly db: Transactor) {}

  async addType(type: { id: string; label: string }, at: string): Promise<boolean> {
    return (await this.db.sql.run("INSERT INTO intervention_types (id, label, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [type.id, type.label, at])) === 1;
  }

  async retireType(id: string, at: string): Promise<boolean> {
    return (await this.db.sql.run("UPDATE intervention_types SET retired_at = ? WHERE id = ? AND retired_at IS NULL", [at, id])) === 1;
  }

  async listTypes(): Promise<InterventionType[]> {
    return (await this.db.sql.rows("SELECT id, label, retired_at FROM intervention_types ORDER BY label, id")).map((r) => ({
      id: r.id as string,
      label: r.label as string,
      retired_at: (r.retired_at as string | null) ?? null,
    }));
  }

  createPlan(plan: NewPlan, event: Omit<PlanEvent, "id" | "plan_id" | "kind">): Promise<Plan> {
    return this.db.transaction(async (sql) => {
      const row = await firstRow(
        sql,
        `INSERT INTO plans (${planColumns.join(", ")}, version) VALUES (${planColumns.map(() => "?").join(", ")}, 1) RETURNING *`,
        planColumns.map((c) => plan[c]),
      );
      const created = toPlan(row!);
      await addEvent(sql, created.id, { ...event, kind: "assigned" });
      return created;
    });
  }

  async planById(id: number): Promise<Plan | undefined> {
    const row = await firstRow(this.db.sql, "SELECT * FROM plans WHERE id = ?", [id]);
    return row && toPlan(row);
  }

  async openPlansIn(scope: AccessScope): Promise<Plan[]> {
    const visible = scopeClause(scope, "score");
    return (await this.db.sql.rows(`SELECT * FROM plans WHERE ended_on IS NULL${visible.where} ORDER BY id`, visible.values)).map(toPlan);
  }

  async plansIn(scope: AccessScope): Promise<Plan[]> {
    const visible = scopeClause(scope, "score");
    return (await this.db.sql.rows(`SELECT * FROM plans WHERE 1 = 1${visible.where} ORDER BY id`, visible.values)).map(toPlan);
  }

  async plansOf(studentIds: readonly string[]): Promise<Plan[]> {
    const plans: Plan[] = [];
    for (const ids of idBatches(studentIds, ID_BATCHES)) {
      const rows = await this.db.sql.rows(`SELECT * FROM plans WHERE student_id IN (${marks(ids)})`, ids);
      plans.push(...rows.map(toPlan));
    }
    return plans.sort((a, b) => b.id - a.id);
  }

  changePlan(id: number, version: number, change: PlanChange, event: Omit<PlanEvent, "id" | "plan_id">): Promise<Plan | "conflict" | undefined> {
    return this.db.transaction(async (sql) => {
      const set = changeable.filter((c) => change[c] !== undefined);
      const row = await firstRow(
        sql,
        `UPDATE plans SET ${[...set.map((c) => `${c} = ?`), "version = version + 1"].join(", ")} WHERE id = ? AND version = ? RETURNING *`,
        [...set.map((c) => change[c]), id, version],
      );
      if (!row) return (await firstRow(sql, "SELECT id FROM plans WHERE id = ?", [id])) ? "conflict" : undefined;
      await addEvent(sql, id, event);
      return toPlan(row);
    });
  }

  async eventsOf(planId: number): Promise<PlanEvent[]> {
    return (await this.db.sql.rows("SELECT * FROM plan_events WHERE plan_id = ? ORDER BY id", [planId])).map(toEvent);
  }

  async addNote(note: NewNote): Promise<Note> {
    const row = await firstRow(
      this.db.sql,
      "INSERT INTO notes (student_id, district_id, school_id, kind, text, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
      [note.student_id, note.district_id, note.school_id, note.kind, note.text, note.written_by, note.written_at],
    );
    return toNote(row!);
  }

  async notesOf(studentId: string, kinds: readonly NoteKind[]): Promise<Note[]> {
    if (kinds.length === 0) return [];
    const rows = await this.db.sql.rows(`SELECT * FROM notes WHERE student_id = ? AND kind IN (${kinds.map(() => "?").join(", ")}) ORDER BY id DESC`, [studentId, ...kinds]);
    return rows.map(toNote);
  }

  async noteCounts(studentId: string): Promise<Record<NoteKind, number>> {
    const counts: Record<NoteKind, number> = { general: 0, restricted: 0 };
    for (const r of await this.db.sql.rows("SELECT kind, CAST(count(*) AS INTEGER) AS n FROM notes WHERE student_id = ? GROUP BY kind", [studentId])) {
      counts[r.kind as NoteKind] = Number(r.n);
    }
    return counts;
  }

}

async function addEvent(sql: SqlRunner, planId: number, event: Omit<PlanEvent, "id" | "plan_id">): Promise<void> {
  await sql.run("INSERT INTO plan_events (plan_id, at, by_name, kind, detail) VALUES (?, ?, ?, ?, ?)", [planId, event.at, event.by, event.kind, JSON.stringify(event.detail)]);
}
