import type { AccessScope } from "../../core/index.ts";

export const everything: AccessScope = { all: true };

/**
 * Scope as SQL: rows of the scope's districts or schools. A rollup row of a school belongs to
 * its district too; a district row only to the district; the state row only to `all`.
 */
export function scopeClause(scope: AccessScope, rows: "score" | "rollup"): { where: string; values: string[] } {
  if (scope.all) return { where: "", values: [] };
  const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
  const parts: string[] = [];
  if (scope.districts.length > 0) parts.push(`district_id IN (${marks(scope.districts.length)})`);
  if (scope.schools.length > 0) parts.push(`school_id IN (${marks(scope.schools.length)})`);
  if (parts.length === 0) return { where: " AND 1 = 0", values: [] };
  const stateRow = rows === "rollup" ? " AND scope <> 'state'" : "";
  return { where: ` AND (${parts.join(" OR ")})${stateRow}`, values: [...scope.districts, ...scope.schools] };
}

/** Only known column names reach the SQL text; values are bound. */
export function whereClause(filter: object): { where: string; values: unknown[] } {
  const entries = Object.entries(filter).filter(([, v]) => v !== undefined);
  for (const [column] of entries) if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column: ${column}`);
  return { where: entries.map(([column]) => ` AND ${column} = ?`).join(""), values: entries.map(([, v]) => v) };
}
