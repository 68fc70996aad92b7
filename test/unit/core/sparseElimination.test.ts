import { describe, expect, it } from "vitest";
import { SparseElimination, type SparseRow } from "../../../src/core/sparseElimination.ts";

const row = (entries: [number, number][]): SparseRow => ({ idx: entries.map((e) => e[0]), val: entries.map((e) => e[1]) });

describe("SparseElimination", () => {
  it("writes a relation as +1 for its total and −1 a part, over hidden cells only, a repeated part once", () => {
    const hidden = Uint8Array.from([1, 1, 0, 1]);
    expect(new SparseElimination(4).equation(0, [1, 1, 2, 3], hidden)).toEqual({ idx: [0, 1, 3], val: [1, -2, -1] });
    // A total that is also one of its parts cancels out.
    expect(new SparseElimination(4).equation(0, [0, 1], hidden)).toEqual({ idx: [1], val: [-1] });
  });

  it("finds the cells the equations fix, and none where every equation has a free cell", () => {
    // a + b and b known: both fixed. c + d and d + e: none.
    expect(new SparseElimination(5).determinedPivots([row([[1, 1]]), row([[0, 1], [1, 1]])]).sort()).toEqual([0, 1]);
    expect(new SparseElimination(5).determinedPivots([row([[2, 1], [3, 1]]), row([[3, 1], [4, -1]])])).toEqual([]);
    // a − b, b − c, a − c: dependent, nothing fixed; add a + c and all three are.
    const chain = [row([[0, 1], [1, -1]]), row([[1, 1], [2, -1]]), row([[0, 1], [2, -1]])];
    expect(new SparseElimination(3).determinedPivots(chain)).toEqual([]);
    expect(new SparseElimination(3).determinedPivots([...chain, row([[0, 1], [2, 1]])]).sort()).toEqual([0, 1, 2]);
  });

  it("gives each system the answer it gives alone when one scratch solves many in turn", () => {
    let seed = 11;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const cells = 60;
    const shared = new SparseElimination(cells);
    for (let trial = 0; trial < 200; trial++) {
      const rows: SparseRow[] = [];
      const count = 1 + Math.floor(random() * 12);
      for (let r = 0; r < count; r++) {
        const picked = new Map<number, number>();
        const size = 1 + Math.floor(random() * 5);
        for (let i = 0; i < size; i++) picked.set(Math.floor(random() * cells), random() < 0.5 ? 1 : -1);
        rows.push(row([...picked]));
      }
      const copy = () => rows.map((r) => ({ idx: [...r.idx], val: [...r.val] }));
      const alone = new SparseElimination(cells).determinedPivots(copy()).sort((a, b) => a - b);
      expect(shared.determinedPivots(copy()).sort((a, b) => a - b), `trial ${trial}`).toEqual(alone);
    }
  });
});
