import type { PoolClient } from "pg";
import { nameSearchText, type PublishedScore, type RollupCell } from "../../core/index.ts";
import type { BulkWriter } from "../sql/publishingTerm.ts";
import { rollupColumns, rollupKeyColumns, rollupValue, scoreColumns, scoreValues } from "../sql/rows.ts";
import { copyRows } from "./copyRows.ts";
import type { NamedStudent, TierMove } from "../termStore.ts";

const keyMatch = rollupKeyColumns.map((c) => `r.${c} = m.${c}`).join(" AND ");
const changeParam = rollupKeyColumns.length + 2;
const updateRollups =
  `UPDATE rollups r SET mean_risk_change = m.mean_risk_change, high_share_change = m.high_share_change ` +
  `FROM unnest(${rollupKeyColumns.map((_, k) => `$${k + 2}::text[]`).join(", ")}, $${changeParam}::float8[], $${changeParam + 1}::float8[]) ` +
  `AS m(${rollupKeyColumns.join(", ")}, mean_risk_change, high_share_change) WHERE r.term_id = $1 AND ${keyMatch}`;
const updateMoves =
  "UPDATE scores s SET previous_tier = m.previous_tier, change = m.change FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) " +
  "AS m(student_id, milestone, previous_tier, change) WHERE s.term_id = $1 AND s.student_id = m.student_id AND s.milestone = m.milestone";

/** Rows per update statement: large enough that round trips cost little, small enough to stream. */
const ROWS_A_STATEMENT = 10_000;

function* slices<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let start = 0; start < rows.length; start += ROWS_A_STATEMENT) yield rows.slice(start, start + ROWS_A_STATEMENT);
}

/** Column arrays of `rows`, one array a column. */
function columnsOf<T, C extends string>(rows: readonly T[], columns: readonly C[], value: (row: T, column: C) => unknown): unknown[][] {
  return columns.map((c) => rows.map((r) => value(r, c)));
}

/** New rows by COPY; changes to existing rows as column arrays `unnest`ed by the server, a batch a statement. */
export function pgBulk(client: PoolClient): BulkWriter {
  return {
    async addScores(termId: number, scores: readonly PublishedScore[]) {
      await copyRows(client, "scores", ["term_id", ...scoreColumns], scores, (s) => [termId, ...scoreColumns.map((c) => scoreValues[c](s))]);
    },
    async addRollups(termId: number, cells: readonly RollupCell[]) {
      await copyRows(client, "rollups", ["term_id", ...rollupColumns], cells, (c) => [termId, ...rollupColumns.map((column) => rollupValue(c, column))]);
    },
    async addNames(termId: number, names: readonly NamedStudent[]) {
      await copyRows(client, "names", ["term_id", "student_id", "first_name", "last_name", "local_id", "first_lower", "last_lower", "local_lower"], names, (n) => [
        termId, n.student_id, n.first_name, n.last_name, n.local_id, nameSearchText(n.first_name), nameSearchText(n.last_name), n.local_id === null ? null : nameSearchText(n.local_id),
      ]);
    },
    async setTierMoves(termId: number, moves: readonly TierMove[]) {
      for (const batch of slices(moves)) {
        await client.query(updateMoves, [termId, ...columnsOf(batch, ["student_id", "milestone", "previous_tier", "change"] as const, (m, c) => m[c])]);
      }
    },
    async setRollupChanges(termId: number, cells: readonly RollupCell[]) {
      for (const batch of slices(cells)) {
        const keys = columnsOf(batch, rollupKeyColumns, (c, k) => String(c[k]));
        await client.query(updateRollups, [termId, ...keys, batch.map((c) => c.mean_risk_change), batch.map((c) => c.high_share_change)]);
      }
    },
  };
}
