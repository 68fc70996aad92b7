/** One published equation: a total equals the sum of its parts (cells are numbered). */
export interface AdditiveRelation {
  total: number;
  parts: readonly number[];
}

/**
 * Relations as three flat arrays: relation k is `totals[k]` = the sum of the cells
 * `partCells[partStart[k]]` up to `partCells[partStart[k + 1]]`. A state's rollups tie ~940 000
 * relations; as objects with arrays of parts they held ~110 MB of heap, which the garbage
 * collector walked on every pass through their suppression.
 */
export class RelationList {
  readonly length: number;

  constructor(
    readonly totals: Int32Array,
    readonly partStart: Int32Array,
    readonly partCells: Int32Array,
  ) {
    this.length = totals.length;
  }

  static of(relations: RelationList | readonly AdditiveRelation[]): RelationList {
    if (relations instanceof RelationList) return relations;
    const build = new RelationListBuilder();
    for (const r of relations) build.add(r.total, r.parts);
    return build.finish();
  }

  /** Relation k's parts, as a new array (for reading one; loops go through `partStart`). */
  parts(k: number): number[] {
    return Array.from(this.partCells.subarray(this.partStart[k], this.partStart[k + 1]));
  }

  /** Every relation as an object, in order. */
  toArray(): AdditiveRelation[] {
    return Array.from({ length: this.length }, (_, k) => ({ total: this.totals[k], parts: this.parts(k) }));
  }
}

/** Appends relations, growing its arrays as it goes. */
export class RelationListBuilder {
  private totals: Int32Array = new Int32Array(1024);
  private partStart: Int32Array = new Int32Array(1025);
  private partCells: Int32Array = new Int32Array(4096);
  private count = 0;

  add(total: number, parts: ArrayLike<number>): void {
    if (this.count === this.totals.length) {
      this.totals = grown(this.totals, this.count * 2);
      this.partStart = grown(this.partStart, this.count * 2 + 1);
    }
    const from = this.partStart[this.count];
    if (from + parts.length > this.partCells.length) this.partCells = grown(this.partCells, Math.max(this.partCells.length * 2, from + parts.length));
    for (let i = 0; i < parts.length; i++) this.partCells[from + i] = parts[i];
    this.totals[this.count] = total;
    this.partStart[++this.count] = from + parts.length;
  }

  finish(): RelationList {
    const parts = this.partStart[this.count];
    return new RelationList(this.totals.slice(0, this.count), this.partStart.slice(0, this.count + 1), this.partCells.slice(0, parts));
  }
}

function grown(array: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(array);
  return next;
}
