import { EwisError, retentionDay } from "../core/index.ts";
import { csvField } from "../io/csvCell.ts";
import { withStores } from "../store/openStores.ts";

const existing = { mustExist: true };

/** Adds an intervention to the catalog plans are assigned from. */
export async function interventionAddCommand(options: { db: string; id: string; label: string }, log: (line: string) => void, now = new Date()): Promise<void> {
  if (!/^[a-z0-9_]{1,40}$/.test(options.id)) throw new EwisError("invalid_argument", `--id must be 1–40 characters of a-z, 0-9 and _, got "${options.id}"`);
  const label = options.label.trim();
  if (label === "" || label.length > 100) throw new EwisError("invalid_argument", "--label must be 1–100 characters");
  const added = await withStores(options.db, existing, ({ casework }) => casework.addType({ id: options.id, label }, now.toISOString()));
  if (!added) throw new EwisError("invalid_argument", `the catalog has "${options.id}" already; \`ewis interventions list\` shows it`);
  log(`intervention ${options.id} (${label}) added to the catalog`);
}

/** Every intervention of the catalog, retired ones with their date. */
export async function interventionListCommand(options: { db: string }, log: (line: string) => void): Promise<void> {
  const types = await withStores(options.db, existing, ({ casework }) => casework.listTypes());
  log("id,label,retired");
  for (const t of types) log([t.id, csvField(t.label), t.retired_at ?? ""].join(","));
}

/** Retires an intervention: no new plan takes it; plans that have it keep it. */
export async function interventionRetireCommand(options: { db: string; id: string }, log: (line: string) => void, now = new Date()): Promise<void> {
  const retired = await withStores(options.db, existing, ({ casework }) => casework.retireType(options.id, now.toISOString()));
  if (!retired) throw new EwisError("not_found", `no intervention "${options.id}" in the catalog, or it was retired already`);
  log(`intervention ${options.id} retired: no new plan takes it; plans that have it keep it`);
}

/**
 * `ewis purge --before YEAR`: a state's retention rule. Removes the terms of school years before
 * YEAR (scores, rollups, names), the plans that ended and the notes written before that school
 * year began (July 1 of YEAR − 1) with their history, and records what it removed: all in
 * one transaction of the store's (`TermStore.purgeBefore`).
 */
export async function purgeCommand(options: { db: string; before: number; confirm?: boolean }, log: (line: string) => void, now = new Date()): Promise<void> {
  if (!options.confirm) throw new EwisError("invalid_argument", `a purge removes records for good: add --confirm to remove everything before school year ${options.before - 1}–${String(options.before).slice(-2)}`);
  const day = retentionDay(options.before);
  const done = await withStores(options.db, existing, ({ terms }) => terms.purgeBefore({ at: now.toISOString(), before_year: options.before }));
  log(`purged before ${day}: ${done.terms} terms (${done.scores} scores), ${done.plans} ended plans with their history, ${done.notes} notes; recorded in the store`);
}
