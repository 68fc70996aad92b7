import { describe, expect, it } from "vitest";
import { RelationList } from "../../../src/core/relationList.ts";
import { relationsByCell } from "../../../src/core/disclosureAudit.ts";

describe("RelationList", () => {
  // More relations and parts than the builder starts with room for, so it grows several times.
  const relations = Array.from({ length: 3000 }, (_, k) => ({ total: k % 97, parts: Array.from({ length: k % 7 }, (_, j) => (k * 13 + j * 5) % 101) }));

  it("holds every relation as given, in order", () => {
    const list = RelationList.of(relations);
    expect(list.length).toBe(3000);
    expect(list.partCells.length).toBe(relations.reduce((n, r) => n + r.parts.length, 0));
    expect(list.toArray()).toEqual(relations);
    expect(list.parts(8)).toEqual(relations[8].parts);
    expect(RelationList.of(list)).toBe(list);
  });

  it("indexes by cell the relations holding it, a relation holding a cell twice listed twice", () => {
    const byCell = relationsByCell(101, relations);
    for (let cell = 0; cell < 101; cell++) {
      const expected: number[] = [];
      relations.forEach((r, k) => {
        if (r.total === cell) expected.push(k);
        for (const p of r.parts) if (p === cell) expected.push(k);
      });
      expect(Array.from(byCell.list.subarray(byCell.start[cell], byCell.start[cell + 1])), `cell ${cell}`).toEqual(expected);
    }
  });
});
