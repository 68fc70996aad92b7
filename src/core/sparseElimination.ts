/** An equation over cells: `val[i]` times cell `idx[i]`, no cell twice, no coefficient 0. */
export interface SparseRow {
  idx: number[];
  val: number[];
}

const EPSILON = 1e-9;

/**
 * Sparse Gauss–Jordan elimination over rows of at most `cells` variables, for the disclosure
 * audit. It keeps its scratch between calls (one audit solves a state's groups one after
 * another, the largest with ~110 000 equations over ~1 000 000 cells): the row being worked on
 * lives in a dense array, and rows are plain number arrays, so reducing a state makes no Map or
 * Set entry per coefficient; as Maps it made the garbage collector a third of the rollups' time.
 */
export class SparseElimination {
  private readonly dense: Float64Array; // the row being worked on; 0 off it
  private readonly mark: Int32Array; // stamp: the variable is on the row being worked on
  private stamp = 0;
  private readonly pivotOf: Int32Array; // variable → basis row it is the pivot of, −1
  private readonly held: Int32Array; // variable → basis rows that hold it (exact)
  private readonly rowSeen: number[] = []; // basis row → the pivot (by number) it was last updated for

  constructor(cells: number) {
    this.dense = new Float64Array(cells);
    this.mark = new Int32Array(cells);
    this.pivotOf = new Int32Array(cells).fill(-1);
    this.held = new Int32Array(cells);
  }

  /** One relation as an equation over the hidden cells: +1 for the total, −1 for each part. */
  equation(total: number, parts: ArrayLike<number>, hidden: Uint8Array): SparseRow {
    const stamp = this.next();
    const touched: number[] = [];
    const add = (cell: number, a: number) => {
      if (!hidden[cell]) return;
      if (this.mark[cell] !== stamp) {
        this.mark[cell] = stamp;
        this.dense[cell] = 0;
        touched.push(cell);
      }
      this.dense[cell] += a;
    };
    add(total, 1);
    for (let i = 0; i < parts.length; i++) add(parts[i], -1);
    return this.gather(touched);
  }

  /**
   * The pivots of the fully reduced row echelon form of `rows` (taken in order) whose row holds
   * no other variable: the cells the equations fix. Pivots go to the variable held by the fewest
   * basis rows (Markowitz, the least fill-in), ties to the lower cell.
   */
  determinedPivots(rows: readonly SparseRow[]): number[] {
    const { dense, mark, pivotOf, held, rowSeen } = this;
    const basis: SparseRow[] = [];
    const pivots: number[] = [];
    const holders = new Map<number, number[]>(); // variable → basis rows that may hold it (stale and repeated entries are skipped)
    const touchedVars: number[] = [];
    const holdBy = (v: number, r: number) => {
      if (held[v]++ === 0) touchedVars.push(v);
      const list = holders.get(v);
      if (list) list.push(r);
      else holders.set(v, [r]);
    };

    for (const input of rows) {
      // Reduce against the basis: replace every pivot variable by its row. The basis is fully
      // reduced, so a substituted row brings in no other pivot.
      const stamp = this.next();
      const touched: number[] = [];
      for (let i = 0; i < input.idx.length; i++) {
        const v = input.idx[i];
        mark[v] = stamp;
        dense[v] = input.val[i];
        touched.push(v);
      }
      for (const v of input.idx) {
        const c = dense[v];
        const r = pivotOf[v];
        if (c === 0 || r < 0) continue;
        const { idx, val } = basis[r];
        for (let i = 0; i < idx.length; i++) {
          const w = idx[i];
          if (mark[w] !== stamp) {
            mark[w] = stamp;
            dense[w] = 0;
            touched.push(w);
          }
          const next = dense[w] - c * val[i];
          dense[w] = Math.abs(next) < EPSILON ? 0 : next;
        }
      }
      const row = this.gather(touched);
      if (row.idx.length === 0) continue; // implied by the equations already held

      let pivot = -1;
      let fewest = Infinity;
      for (const v of row.idx) {
        if (held[v] < fewest || (held[v] === fewest && v < pivot)) {
          pivot = v;
          fewest = held[v];
        }
      }
      const scale = row.val[row.idx.indexOf(pivot)];
      for (let i = 0; i < row.val.length; i++) row.val[i] /= scale;

      // Keep the basis fully reduced: eliminate the new pivot from every row that holds it.
      const rowId = basis.length;
      for (const r of holders.get(pivot) ?? []) {
        // Pivots are numbered 1, 2, … within the call (its own counter: `mark`'s stamps may
        // wrap around mid-loop); a row listed twice is updated once.
        if (rowSeen[r] === rowId + 1) continue;
        rowSeen[r] = rowId + 1;
        const other = basis[r];
        const at = other.idx.indexOf(pivot);
        if (at < 0) continue; // it held the pivot once, and lost it
        const c = other.val[at];
        // In place: the basis rows live through the whole group, and a new pair of arrays for
        // every update left the collector old garbage to sweep on every pass.
        const inner = this.next();
        const { idx, val } = other;
        const before = idx.length;
        for (let i = 0; i < before; i++) {
          mark[idx[i]] = inner;
          dense[idx[i]] = val[i];
        }
        for (let i = 0; i < row.idx.length; i++) {
          const w = row.idx[i];
          const had = mark[w] === inner;
          if (!had) {
            mark[w] = inner;
            dense[w] = 0;
            idx.push(w);
          }
          const next = dense[w] - c * row.val[i];
          if (Math.abs(next) < EPSILON) {
            dense[w] = 0;
            if (had) held[w]--;
          } else {
            dense[w] = next;
            if (!had) holdBy(w, r);
          }
        }
        let kept = 0;
        for (let i = 0; i < idx.length; i++) {
          const w = idx[i];
          const a = dense[w];
          if (a !== 0) {
            idx[kept] = w;
            val[kept++] = a;
          }
          dense[w] = 0;
        }
        idx.length = kept;
        val.length = kept;
      }
      holders.delete(pivot);
      basis.push(row);
      rowSeen.push(0);
      pivotOf[pivot] = rowId;
      pivots.push(pivot);
      for (const v of row.idx) holdBy(v, rowId);
    }

    const determined: number[] = [];
    for (let r = 0; r < basis.length; r++) if (basis[r].idx.length === 1) determined.push(pivots[r]);
    // Leave the scratch as it was found, for the next group.
    for (const p of pivots) {
      pivotOf[p] = -1;
      held[p] = 0;
    }
    for (const v of touchedVars) held[v] = 0;
    rowSeen.length = 0;
    return determined;
  }

  private next(): number {
    if (this.stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** The nonzero entries among `touched` as a row, leaving the dense array at 0. */
  private gather(touched: readonly number[]): SparseRow {
    const idx: number[] = [];
    const val: number[] = [];
    for (const w of touched) {
      const a = this.dense[w];
      if (a !== 0) {
        idx.push(w);
        val.push(a);
      }
      this.dense[w] = 0;
    }
    return { idx, val };
  }
}
