import type { AdditiveRelation } from "../../src/core/index.ts";

/**
 * The attacker's audit for the tests, written to share nothing with the product's
 * (src/core/disclosureAudit.ts): exact integer arithmetic (BigInt, no tolerance), the whole
 * system at once (no split into groups of hidden cells), a plain row echelon form with the
 * lowest-numbered unknown as pivot, and a membership test per hidden cell instead of reading
 * the reduced rows.
 *
 * Each relation is one equation over the hidden cells (visible numbers are constants): +1 for
 * the total, −1 for each part. A hidden cell is recovered exactly when its unit vector is a
 * combination of the equations, i.e. when it reduces to nothing against their echelon form.
 */
type Row = Map<number, bigint>;

export function exactlyDeterminedCells(hidden: Uint8Array, relations: readonly AdditiveRelation[]): number[] {
  const echelon = new Map<number, Row>(); // pivot (the row's lowest unknown) → row
  for (const relation of relations) {
    const row: Row = new Map();
    const add = (cell: number, c: bigint) => {
      if (!hidden[cell]) return;
      const next = (row.get(cell) ?? 0n) + c;
      if (next === 0n) row.delete(cell);
      else row.set(cell, next);
    };
    add(relation.total, 1n);
    for (const p of relation.parts) add(p, -1n);
    const reduced = reduce(row, echelon);
    if (reduced.size > 0) echelon.set(lowest(reduced), reduced);
  }
  const determined: number[] = [];
  for (let cell = 0; cell < hidden.length; cell++) {
    if (hidden[cell] && reduce(new Map([[cell, 1n]]), echelon).size === 0) determined.push(cell);
  }
  return determined;
}

/** Eliminates the row's lowest unknown while a row of the echelon form has it as pivot; the lowest unknown only rises. */
function reduce(row: Row, echelon: ReadonlyMap<number, Row>): Row {
  while (row.size > 0) {
    const v = lowest(row);
    const pivotRow = echelon.get(v);
    if (!pivotRow) return row;
    // row ← a·row − b·pivotRow, with a, b the two coefficients of v: v cancels, all stays integer.
    const a = pivotRow.get(v) as bigint;
    const b = row.get(v) as bigint;
    const next: Row = new Map();
    for (const [w, c] of row) next.set(w, a * c);
    for (const [w, c] of pivotRow) {
      const value = (next.get(w) ?? 0n) - b * c;
      if (value === 0n) next.delete(w);
      else next.set(w, value);
    }
    row = divideByGcd(next);
  }
  return row;
}

function lowest(row: Row): number {
  let min = Infinity;
  for (const v of row.keys()) if (v < min) min = v;
  return min;
}

/** Keeps the integers small: the row's common factor only scales the equation. */
function divideByGcd(row: Row): Row {
  let g = 0n;
  for (const c of row.values()) g = gcd(g, c < 0n ? -c : c);
  if (g <= 1n) return row;
  for (const [w, c] of row) row.set(w, c / g);
  return row;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
