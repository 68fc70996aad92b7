import { RelationList, type AdditiveRelation } from "./relationList.ts";
import { SparseElimination, type SparseRow } from "./sparseElimination.ts";

export type { AdditiveRelation };

/** Relations as the audit and suppression take them: a list of objects, or already flat. */
export type Relations = RelationList | readonly AdditiveRelation[];

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
export function determinedCells(hidden: Uint8Array, relations: Relations): number[] {
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
  private readonly relations: RelationList;
  private readonly relationsOf: RelationsByCell;
  private elimination: SparseElimination | undefined;

  /**
   * `relationsOf` lists the relations that hold each cell; built here when not given.
   * `proven` marks hidden cells known to be safe (see `SuppressionOptions`): a group holding
   * only those is never solved, since a proven cell stays unpinned whatever else is hidden.
   */
  constructor(
    private readonly hidden: Uint8Array,
    relations: Relations,
    relationsOf?: RelationsByCell,
    proven?: Uint8Array,
  ) {
    this.relations = RelationList.of(relations);
    this.relationsOf = relationsOf ?? relationsByCell(hidden.length, this.relations);
    this.trusted = proven ? Uint8Array.from(proven) : new Uint8Array(hidden.length);
    this.parent = new Int32Array(hidden.length);
    for (let i = 0; i < hidden.length; i++) this.parent[i] = i;
    for (let k = 0; k < this.relations.length; k++) this.link(k);
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
    const { start, list } = this.relationsOf;
    for (let j = start[cell]; j < start[cell + 1]; j++) this.link(list[j]);
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
    for (let k = 0; k < this.relations.length; k++) {
      const cell = this.firstHidden(k);
      if (cell < 0) continue;
      const root = this.find(cell);
      if (!redo[root]) continue;
      const list = groups.get(root);
      if (list) list.push(k);
      else groups.set(root, [k]);
    }
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
    const elimination = (this.elimination ??= new SparseElimination(this.hidden.length));
    const rows: SparseRow[] = [];
    const { totals, partStart, partCells } = this.relations;
    for (const k of relationIds) {
      const row = elimination.equation(totals[k], partCells.subarray(partStart[k], partStart[k + 1]), this.hidden);
      if (row.idx.length > 0) rows.push(row);
    }
    const order = rows.map((_, i) => i).sort((a, b) => rows[a].idx.length - rows[b].idx.length || a - b);
    return elimination.determinedPivots(order.map((i) => rows[i]));
  }

  private firstHidden(k: number): number {
    const { totals, partStart, partCells } = this.relations;
    if (this.hidden[totals[k]]) return totals[k];
    for (let j = partStart[k]; j < partStart[k + 1]; j++) if (this.hidden[partCells[j]]) return partCells[j];
    return -1;
  }

  private link(k: number): void {
    const first = this.firstHidden(k);
    if (first < 0) return;
    const { totals, partStart, partCells } = this.relations;
    const root = this.find(first);
    if (this.hidden[totals[k]]) this.union(root, totals[k]);
    for (let j = partStart[k]; j < partStart[k + 1]; j++) if (this.hidden[partCells[j]]) this.union(root, partCells[j]);
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

/**
 * For each cell, the relations that hold it: cell c's are `list[start[c]]` up to
 * `list[start[c + 1]]`, in relation order (a relation holding a cell twice lists it twice).
 * Two flat arrays: a state's million cells as arrays of arrays took ~190 MB of heap, and the
 * garbage collector walked them on every pass through the rollups' suppression.
 */
export interface RelationsByCell {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

export function relationsByCell(cells: number, relations: Relations): RelationsByCell {
  const { totals, partStart, partCells } = RelationList.of(relations);
  const start = new Int32Array(cells + 1);
  for (const c of totals) start[c + 1]++;
  for (const c of partCells) start[c + 1]++;
  for (let c = 0; c < cells; c++) start[c + 1] += start[c];
  const list = new Int32Array(start[cells]);
  const next = start.slice(0, cells);
  for (let k = 0; k < totals.length; k++) {
    list[next[totals[k]]++] = k;
    for (let j = partStart[k]; j < partStart[k + 1]; j++) list[next[partCells[j]]++] = k;
  }
  return { start, list };
}
