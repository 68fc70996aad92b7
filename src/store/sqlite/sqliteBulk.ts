import type Database from "better-sqlite3";
import { nameSearchText, type PublishedScore, type RollupCell } from "../../core/index.ts";
import type { NamedStudent, TierMove } from "../termStore.ts";
import type { BulkWriter } from "../sql/publishingTerm.ts";
import { rollupColumns, rollupKeyColumns, rollupValue, scoreColumns, scoreValues } from "../sql/rows.ts";

/**
 * Rows a prepared statement at a time, bound by position: inside one transaction SQLite
 * writes a row in microseconds, and a million named-parameter objects cost more than the insert.
 */
export function sqliteBulk(db: Database.Database): BulkWriter {
  const insertScore = db.prepare(`INSERT INTO scores (term_id, ${scoreColumns.join(", ")}) VALUES (${["?", ...scoreColumns.map(() => "?")].join(", ")})`);
  const insertRollup = db.prepare(`INSERT INTO rollups (term_id, ${rollupColumns.join(", ")}) VALUES (${["?", ...rollupColumns.map(() => "?")].join(", ")})`);
  const setMove = db.prepare("UPDATE scores SET previous_tier = ?, change = ? WHERE term_id = ? AND student_id = ? AND milestone = ?");
  const setRollupChange = db.prepare(
    `UPDATE rollups SET mean_risk_change = ?, high_share_change = ? WHERE term_id = ? AND ${rollupKeyColumns.map((c) => `${c} = ?`).join(" AND ")}`,
  );
  const insertName = db.prepare("INSERT INTO names (term_id, student_id, first_name, last_name, local_id, first_lower, last_lower, local_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const values: unknown[] = new Array(scoreColumns.length + 1);
  return {
    async addScores(termId: number, scores: readonly PublishedScore[]) {
      values[0] = termId;
      for (const s of scores) {
        for (let c = 0; c < scoreColumns.length; c++) values[c + 1] = scoreValues[scoreColumns[c]](s);
        insertScore.run(values);
      }
    },
    async addRollups(termId: number, cells: readonly RollupCell[]) {
      for (const c of cells) insertRollup.run(termId, ...rollupColumns.map((column) => rollupValue(c, column)));
    },
    async addNames(termId: number, names: readonly NamedStudent[]) {
      for (const n of names) insertName.run(termId, n.student_id, n.first_name, n.last_name, n.local_id, nameSearchText(n.first_name), nameSearchText(n.last_name), n.local_id === null ? null : nameSearchText(n.local_id));
    },
    async setTierMoves(termId: number, moves: readonly TierMove[]) {
      for (const m of moves) setMove.run(m.previous_tier, m.change, termId, m.student_id, m.milestone);
    },
    async setRollupChanges(termId: number, cells: readonly RollupCell[]) {
      for (const c of cells) setRollupChange.run(c.mean_risk_change, c.high_share_change, termId, ...rollupKeyColumns.map((k) => c[k]));
    },
  };
}
