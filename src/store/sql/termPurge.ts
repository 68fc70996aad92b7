import { retentionDay } from "../../core/index.ts";
import type { SqlRunner } from "./sqlRunner.ts";

/** What a purge removed, as its record in the store keeps it. */
export interface PurgeRecord {
  at: string;
  before_year: number;
  terms: number;
  scores: number;
  plans: number;
  notes: number;
}

/**
 * A state's retention rule, inside one transaction of the caller's: the plans that ended and
 * the notes written before the school year `before_year` began, with the plans' history
 * (`casework` names where those tables are: "" in the same database, "casework." where SQLite
 * attached the casework file); then every term of an earlier school year, with its scores,
 * rollups and names; then the record of it all (`purges`). A later term keeps the tier moves it
 * took against a purged one; an open plan is kept however old, since someone is working on it.
 */
export async function purgeInside(sql: SqlRunner, record: { at: string; before_year: number }, casework: string | null): Promise<PurgeRecord> {
  let plans = 0;
  let notes = 0;
  if (casework !== null) {
    const day = [retentionDay(record.before_year)];
    const ended = `SELECT id FROM ${casework}plans WHERE ended_on IS NOT NULL AND ended_on < ?`;
    await sql.run(`DELETE FROM ${casework}plan_events WHERE plan_id IN (${ended})`, day);
    plans = await sql.run(`DELETE FROM ${casework}plans WHERE ended_on IS NOT NULL AND ended_on < ?`, day);
    notes = await sql.run(`DELETE FROM ${casework}notes WHERE written_at < ?`, day);
  }
  const old = "SELECT id FROM terms WHERE school_year < ?";
  const year = [record.before_year];
  const scores = await sql.run(`DELETE FROM scores WHERE term_id IN (${old})`, year);
  await sql.run(`DELETE FROM rollups WHERE term_id IN (${old})`, year);
  await sql.run(`DELETE FROM names WHERE term_id IN (${old})`, year);
  const terms = await sql.run("DELETE FROM terms WHERE school_year < ?", year);
  const done = { ...record, terms, scores, plans, notes };
  await sql.run("INSERT INTO purges (at, before_year, terms, scores, plans, notes) VALUES (?, ?, ?, ?, ?, ?)", [done.at, done.before_year, done.terms, done.scores, done.plans, done.notes]);
  return done;
}

export async function purgesOf(sql: SqlRunner): Promise<PurgeRecord[]> {
  return (await sql.rows("SELECT at, before_year, terms, scores, plans, notes FROM purges ORDER BY at")).map((r) => ({
    at: r.at as string,
    before_year: Number(r.before_year),
    terms: Number(r.terms),
    scores: Number(r.scores),
    plans: Number(r.plans),
    notes: Number(r.notes),
  }));
}
