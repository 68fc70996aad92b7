import { describe, expect, it } from "vitest";
import { deducedZeros, relationsByCell } from "../../../src/core/index.ts";

describe("deducedZeros", () => {
  it("pins the hidden parts of a sum the shown parts already make up, and follows the zeros it learns", () => {
    // 0: total 12 = 1: 12 (shown) + 2: 0 (hidden) + 3: 0 (hidden); 2 is itself a total: 2 = 4 + 5 (both hidden zeros).
    // 6: total 9 = 7: 4 (hidden) + 8: 5 (shown): 7 is a subtraction, not a zero, and stays unknown here.
    const counts = [12, 12, 0, 0, 0, 0, 9, 4, 5];
    const relations = [
      { total: 0, parts: [1, 2, 3] },
      { total: 2, parts: [4, 5] },
      { total: 6, parts: [7, 8] },
    ];
    const hidden = Uint8Array.from([0, 0, 1, 1, 1, 1, 0, 1, 0]);
    const zero = deducedZeros(hidden, counts, relations, relationsByCell(counts.length, relations));
    expect(Array.from(zero)).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 0]);
  });

  it("pins nothing where a hidden part above 0 shares the sum", () => {
    const counts = [12, 9, 0, 3];
    const relations = [{ total: 0, parts: [1, 2, 3] }];
    const hidden = Uint8Array.from([0, 0, 1, 1]);
    expect(Array.from(deducedZeros(hidden, counts, relations, relationsByCell(4, relations)))).toEqual([0, 0, 0, 0]);
  });

  it("pins a hidden total whose parts are all known to be 0", () => {
    const counts = [0, 0, 0];
    const relations = [{ total: 0, parts: [1, 2] }];
    const hidden = Uint8Array.from([1, 0, 0]);
    expect(Array.from(deducedZeros(hidden, counts, relations, relationsByCell(3, relations)))).toEqual([1, 0, 0]);
  });
});
