import type { PoolClient } from "pg";
import { subgroupDimensions, type PublishedScore, type RollupCell } from "../../core/index.ts";
import type { BulkWriter } from "../sql/publishingTerm.ts";
import { rollupColumns, rollupKeyColumns, rollupValue, scoreColumns, scoreValues, type RollupColumn, type ScoreColumn } from "../sql/rows.ts";
import type { TierMove } from "../termStore.ts";

const scoreTypes: Record<ScoreColumn, string> = {
  student_id: "text", milestone: "text", school_year: "int4", grade: "int4", district_id: "text", school_id: "text", risk: "float8", tier: "text",
  drivers: "text", previous_tier: "text", change: "text", ...(Object.fromEntries(subgroupDimensions.map((d) => [d, "text"])) as Record<(typeof subgroupDimensions)[number], string>),
  prior: "text", scored_with: "text", indicators: "bytea",
};
const rollupTypes = Object.fromEntries(
  rollupColumns.map((c) => [c, ["n", "low", "moderate", "high"].includes(c) ? "int4" : /^(share_|mean_risk|high_share)/.test(c) ? "float8" : "text"]),
) as Record<RollupColumn, string>;

/** `INSERT … SELECT FROM unnest(arrays)`: one statement and one round trip for a whole batch. */
const unnestInsert = (table: string, columns: readonly string[], types: Record<string, string>) =>
  `INSERT INTO ${table} (term_id, ${columns.join(", ")}) SELECT $1, * FROM unnest(${columns.map((c, k) => `$${k + 2}::${types[c]}[]`).join(", ")})`;

const insertScores = unnestInsert("scores", scoreColumns, scoreTypes);
const insertRollups = unnestInsert("rollups", rollupColumns, rollupTypes);
const keyMatch = rollupKeyColumns.map((c) => `r.${c} = m.${c}`).join(" AND ");
const updateRollups =
  `UPDATE rollups r SET mean_risk_change = m.mean_risk_change, high_share_change = m.high_share_change ` +
  `FROM unnest(${rollupKeyColumns.map((_, k) => `$${k + 2}::text[]`).join(", ")}, $9::float8[], $10::float8[]) ` +
  `AS m(${rollupKeyColumns.join(", ")}, mean_risk_change, high_share_change) WHERE r.term_id = $1 AND ${keyMatch}`;
const updateMoves =
  "UPDATE scores s SET previous_tier = m.previous_tier, change = m.change FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) " +
  "AS m(student_id, milestone, previous_tier, change) WHERE s.term_id = $1 AND s.student_id = m.student_id AND s.milestone = m.milestone";

/** Rows per statement: large enough that round trips cost little, small enough to stream. */
const ROWS_A_STATEMENT = 10_000;

function* slices<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let start = 0; start < rows.length; start += ROWS_A_STATEMENT) yield rows.slice(start, start + ROWS_A_STATEMENT);
}

/** Column arrays of `rows`, one array a column. */
function columnsOf<T, C extends string>(rows: readonly T[], columns: readonly C[], value: (row: T, column: C) => unknown): unknown[][] {
  return columns.map((c) => rows.map((r) => value(r, c)));
}

/** Batches as column arrays, `unnest`ed by the server: the fastest plain statement node-postgres sends. */
export function pgBulk(client: PoolClient): BulkWriter {
  return {
    async addScores(termId: number, scores: readonly PublishedScore[]) {
      for (const batch of slices(scores)) await client.query(insertScores, [termId, ...columnsOf(batch, scoreColumns, (s, c) => scoreValues[c](s))]);
    },
    async addRollups(termId: number, cells: readonly RollupCell[]) {
      for (const batch of slices(cells)) await client.query(insertRollups, [termId, ...columnsOf(batch, rollupColumns, rollupValue)]);
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
