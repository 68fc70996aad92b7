import type { AdditiveRelation } from "../src/core/index.ts";

/**
 * The attacker's audit for the tests: the whole-system Gauss–Jordan elimination that
 * src/core/disclosureAudit.ts used before it solved each group of hidden cells on its own, kept
 * as an independent implementation to check the product against.
 *
 * Which hidden cells the published numbers still pin down. An attacker knows every visible
 * count and every relation (a total is the sum of its parts); each relation is one linear
 * equation in the hidden cells. A hidden cell is recovered when the equations together fix it,
 * by any combination of rows and columns, not only by one subtraction. That holds exactly when
 * its unit vector lies in the row space of the equations over the hidden cells, which reduced
 * row echelon form shows directly: a pivot whose row has no free variable.
 *
 * Sparse Gauss–Jordan elimination, one equation at a time; coefficients stay small rationals,
 * so a tolerance of 1e-9 separates zero from not. Cost grows with the fill-in of each connected
 * group of hidden cells, which suppression keeps small.
 */
const EPSILON = 1e-9;

type Row = Map<number, number>;

export function determinedCells(hidden: Uint8Array, relations: readonly AdditiveRelation[]): number[] {
  const basis = new Map<number, Row>(); // pivot → row, with the pivot's coefficient 1
  const rowsHolding = new Map<number, Set<number>>(); // variable → pivots of rows that hold it

  const hold = (pivot: number, v: number) => {
    let set = rowsHolding.get(v);
    if (!set) rowsHolding.set(v, (set = new Set()));
    set.add(pivot);
  };
  const release = (pivot: number, v: number) => rowsHolding.get(v)?.delete(pivot);

  for (const relation of relations) {
    const row: Row = new Map();
    if (hidden[relation.total]) row.set(relation.total, 1);
    for (const p of relation.parts) if (hidden[p]) row.set(p, (row.get(p) ?? 0) - 1);
    if (row.size === 0) continue;

    // Reduce against the basis: replace every pivot variable by its row.
    for (const v of [...row.keys()]) {
      const c = row.get(v);
      const pivotRow = basis.get(v);
      if (c === undefined || !pivotRow) continue;
      for (const [w, a] of pivotRow) {
        const next = (row.get(w) ?? 0) - c * a;
        if (Math.abs(next) < EPSILON) row.delete(w);
        else row.set(w, next);
      }
    }
    if (row.size === 0) continue; // implied by the equations already held

    // Pivot on the variable held by the fewest basis rows (Markowitz): the least fill-in.
    let pivot = -1;
    let fewest = Infinity;
    for (const v of row.keys()) {
      const held = rowsHolding.get(v)?.size ?? 0;
      if (held < fewest || (held === fewest && v < pivot)) {
        pivot = v;
        fewest = held;
      }
    }
    const scale = row.get(pivot) as number;
    for (const [v, a] of row) row.set(v, a / scale);

    // Keep the basis fully reduced: eliminate the new pivot from every row that holds it.
    for (const other of [...(rowsHolding.get(pivot) ?? [])]) {
      const otherRow = basis.get(other) as Row;
      const c = otherRow.get(pivot) as number;
      for (const [w, a] of row) {
        const next = (otherRow.get(w) ?? 0) - c * a;
        if (Math.abs(next) < EPSILON) {
          otherRow.delete(w);
          release(other, w);
        } else {
          if (!otherRow.has(w)) hold(other, w);
          otherRow.set(w, next);
        }
      }
    }
    basis.set(pivot, row);
    for (const v of row.keys()) hold(pivot, v);
  }

  const determined: number[] = [];
  for (const [pivot, row] of basis) if (row.size === 1) determined.push(pivot);
  return determined.sort((a, b) => a - b);
}
