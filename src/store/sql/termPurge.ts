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
 * Removes every term of a school year before `record.before_year`, with its scores, rollups and
 * names, and records the purge (`purges`): inside the store's own transaction, so a crash
 * leaves all of it or none. A later term keeps the tier moves it took against a purged one.
 */
export async function purgeTermsInside(sql: SqlRunner, record: Omit<PurgeRecord, "terms" | "scores">): Promise<PurgeRecord> {
  const old = "SELECT id FROM terms WHERE school_year < ?";
  const year = [record.before_year];
  const scores = await sql.run(`DELETE FROM scores WHERE term_id IN (${old})`, year);
  await sql.run(`DELETE FROM rollups WHERE term_id IN (${old})`, year);
  await sql.run(`DELETE FROM names WHERE term_id IN (${old})`, year);
  const terms = await sql.run("DELETE FROM terms WHERE school_year < ?", year);
  const done = { ...record, terms, scores };
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
