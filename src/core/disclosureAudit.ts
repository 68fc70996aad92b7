/** One published equation: a total equals the sum of its parts (cells are numbered). */
export interface AdditiveRelation {
  total: number;
  parts: readonly number[];
}

/**
 * Which hidden cells the published numbers still pin down. An attacker knows every visible
 * count and every relation (a total is the sum of its parts); each relation is one linear
 * equation in the hidden cells. A hidden cell is recovered when the equations together fix it,
 * by any combination of rows and columns, not only by one subtraction. That holds exactly when
 * its unit vector lies in the row space of the equations over the hidden cells, which reduced
 * row echelon form shows directly: a pivot whose row has no free variable.
 *
 * The equations split into independent systems, one per connected group of hidden cells (cells
 * linked when they share a relation): an equation only holds cells of one group, so the row space
 * is the direct sum of the groups' row spaces and each group is solved on its own, exactly.
 * Within a group, sparse Gauss–Jordan elimination takes the equations with the fewest unknowns
 * first (a school's tiers and values before a district's schools, before the state's districts),
 * which keeps the fill-in of the fully reduced basis small; coefficients stay small rationals,
 * so a tolerance of 1e-9 separates zero from not.
 */
export function determinedCells(hidden: Uint8Array, relations: readonly AdditiveRelation[]): number[] {
  return new DisclosureAudit(hidden, relations).determined();
}

/**
 * The audit kept across suppression rounds. Hiding a cell only ever merges groups, and a group
 * that gained no hidden cell keeps exactly the same equations, so each call re-solves only the
 * groups that gained a cell since the last call (`hidden` is watched through `hide`), and
 * carries the others' answers over unchanged.
 */
export class DisclosureAudit {
  private readonly parent: Int32Array; // union-find over cells: hidden cells sharing a relation
  private readonly changed: number[] = [];
  private previous: number[] | undefined;
  private readonly trusted: Uint8Array;

  /**
   * `relationsOf[cell]` lists the relations that hold the cell; built here when not given.
   * `proven` marks hidden cells known to be safe (see `SuppressionOptions`): a group holding
   * only those is never solved, since a proven cell stays unpinned whatever else is hidden.
   */
  constructor(
    private readonly hidden: Uint8Array,
    private readonly relations: readonly AdditiveRelation[],
    private readonly relationsOf: readonly (readonly number[])[] = relationsByCell(hidden.length, relations),
    proven?: Uint8Array,
  ) {
    this.trusted = proven ? Uint8Array.from(proven) : new Uint8Array(hidden.length);
    this.parent = new Int32Array(hidden.length);
    for (let i = 0; i < hidden.length; i++) this.parent[i] = i;
    for (let k = 0; k < relations.length; k++) this.link(k);
  }

  /**
   * Marks `cell` hidden (in the shared `hidden` array too). A proven cell does not send its group
   * to be solved again: hiding a cell only ever frees others, so the group's last answer, less
   * the proven cells, still holds.
   */
  hide(cell: number, proven = false): void {
    if (this.hidden[cell]) return;
    this.hidden[cell] = 1;
    if (proven) this.trusted[cell] = 1;
    else this.changed.push(cell);
    for (const k of this.relationsOf[cell]) this.link(k);
  }

  /** Marks a hidden or visible cell proven safe (a corner of a change that keeps every sum true). */
  prove(cell: number): void {
    this.trusted[cell] = 1;
  }

  /** Every hidden cell the published numbers determine, ascending. */
  determined(): number[] {
    const redo = new Uint8Array(this.hidden.length); // roots of groups to solve again
    if (this.previous === undefined) this.redoAll(redo);
    else for (const cell of this.changed) redo[this.find(cell)] = 1;
    this.changed.length = 0;

    const result = (this.previous ?? []).filter((cell) => !redo[this.find(cell)] && !this.trusted[cell]);
    const groups = new Map<number, number[]>(); // root → relations holding a hidden cell of it
    this.relations.forEach((r, k) => {
      const cell = this.firstHidden(r);
      if (cell < 0) return;
      const root = this.find(cell);
      if (!redo[root]) return;
      const list = groups.get(root);
      if (list) list.push(k);
      else groups.set(root, [k]);
    });
    for (const list of groups.values()) result.push(...this.solve(list));
    result.sort((a, b) => a - b);
    this.previous = result;
    return result;
  }

  private redoAll(redo: Uint8Array): void {
    for (let c = 0; c < this.hidden.length; c++) if (this.hidden[c] && !this.trusted[c]) redo[this.find(c)] = 1;
  }

  /** Reduces one group's equations, fewest unknowns first, and returns its determined cells. */
  private solve(relationIds: number[]): number[] {
    const rows: Row[] = [];
    for (const k of relationIds) {
      const row = rowOf(this.relations[k], this.hidden);
      if (row.size > 0) rows.push(row);
    }
    const order = rows.map((_, i) => i).sort((a, b) => rows[a].size - rows[b].size || a - b);
    const determined: number[] = [];
    for (const [pivot, row] of reducedBasis(order.map((i) => rows[i]))) if (row.size === 1) determined.push(pivot);
    return determined;
  }

  private firstHidden(r: AdditiveRelation): number {
    if (this.hidden[r.total]) return r.total;
    for (const p of r.parts) if (this.hidden[p]) return p;
    return -1;
  }

  private link(k: number): void {
    const r = this.relations[k];
    const first = this.firstHidden(r);
    if (first < 0) return;
    const root = this.find(first);
    if (this.hidden[r.total]) this.union(root, r.total);
    for (const p of r.parts) if (this.hidden[p]) this.union(root, p);
  }

  private find(x: number): number {
    const parent = this.parent;
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The lower index becomes the root: deterministic, whatever the order of the calls.
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }
}

/** For each cell, the relations that hold it. */
export function relationsByCell(cells: number, relations: readonly AdditiveRelation[]): number[][] {
  const relationsOf: number[][] = Array.from({ length: cells }, () => []);
  relations.forEach((r, k) => {
    relationsOf[r.total].push(k);
    for (const p of r.parts) relationsOf[p].push(k);
  });
  return relationsOf;
}

const EPSILON = 1e-9;

type Row = Map<number, number>;

/** A relation as an equation over the hidden cells: +1 for the total, −1 for each part. */
function rowOf(relation: AdditiveRelation, hidden: Uint8Array): Row {
  const row: Row = new Map();
  if (hidden[relation.total]) row.set(relation.total, 1);
  for (const p of relation.parts) {
    if (!hidden[p]) continue;
    const next = (row.get(p) ?? 0) - 1;
    if (next === 0) row.delete(p);
    else row.set(p, next);
  }
  return row;
}

/** Fully reduced row echelon form of `rows` (consumed): pivot → row, the pivot's coefficient 1. */
function reducedBasis(rows: Iterable<Row>): Map<number, Row> {
  const basis = new Map<number, Row>();
  const rowsHolding = new Map<number, Set<number>>(); // variable → pivots of rows that hold it

  const hold = (pivot: number, v: number) => {
    let set = rowsHolding.get(v);
    if (!set) rowsHolding.set(v, (set = new Set()));
    set.add(pivot);
  };
  const release = (pivot: number, v: number) => rowsHolding.get(v)?.delete(pivot);

  for (const row of rows) {
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
  return basis;
}
