import { describe, expect, it } from "vitest";
import { recoverableCells, smallVisibleCounts } from "./privacyAttack.ts";
import { computeRollups, suppressCells, type RollupCell, type RollupInput } from "../src/core/index.ts";

describe("suppressCells", () => {
  it("hides every count with 0 < n < threshold and keeps zeros and large counts", () => {
    const hidden = suppressCells([0, 3, 9, 10, 40], [], 10);
    expect(Array.from(hidden)).toEqual([0, 1, 1, 0, 0]);
  });

  it("hides a second part when one hidden part could be recovered from its total", () => {
    // total 60 = 3 + 20 + 37: hiding 3 alone is undone by 60 − 20 − 37, so 20 goes too.
    const hidden = suppressCells([60, 3, 20, 37], [{ total: 0, parts: [1, 2, 3] }], 10);
    expect(Array.from(hidden)).toEqual([0, 1, 1, 0]);
  });

  it("hides the total when the only other part is zero", () => {
    const hidden = suppressCells([4, 4, 0], [{ total: 0, parts: [1, 2] }], 10);
    expect(Array.from(hidden)).toEqual([1, 1, 0]);
  });

  it("follows a complement into the other relations it belongs to", () => {
    // Rows [3, 30 | 33] and [20, 25 | 45], columns [23 | 55 | 78]: hiding 3 hides 30 (row),
    // which leaves column 2 with one hidden cell, so 25 goes, then row 2 hides 20.
    const counts = [3, 30, 33, 20, 25, 45, 23, 55, 78];
    const relations = [
      { total: 2, parts: [0, 1] },
      { total: 5, parts: [3, 4] },
      { total: 6, parts: [0, 3] },
      { total: 7, parts: [1, 4] },
      { total: 8, parts: [2, 5] },
      { total: 8, parts: [6, 7] },
    ];
    const hidden = suppressCells(counts, relations, 10);
    for (const r of relations) {
      const unknown = [r.total, ...r.parts].filter((c) => hidden[c]).length;
      expect(unknown === 0 || unknown >= 2).toBe(true);
    }
    expect(Array.from(hidden.slice(0, 2))).toEqual([1, 1]);
  });
});

describe("computeRollups", () => {
  const student = (school: string, tier: RollupInput["tier"], ell: string, race = "W", grade = 3): RollupInput => ({
    district_id: "D1",
    school_id: school,
    milestone: "early_literacy",
    grade,
    tier,
    risk: tier === "low" ? 0.1 : tier === "moderate" ? 0.3 : 0.7,
    subgroups: { low_income: "0", ell, former_ell: "0", sped: "0", homeless: "0", foster_care: "0", race_ethnicity: race, gender: "F" },
  });
  const inputs = [
    ...Array.from({ length: 30 }, (_, i) => student("E1", i < 12 ? "low" : i < 24 ? "moderate" : "high", i < 4 ? "1" : "0")),
    ...Array.from({ length: 25 }, (_, i) => student("E2", i < 15 ? "low" : "high", "0", i < 2 ? "B" : "W")),
  ];
  const cells = computeRollups(inputs, 10);
  const find = (where: Partial<RollupCell>) => cells.filter((c) => Object.entries(where).every(([k, v]) => c[k as keyof RollupCell] === v));

  it("counts the state, districts and schools by tier, with shares and mean risk", () => {
    const [state] = find({ scope: "state", grade: "all", dimension: "all" });
    expect(state).toMatchObject({ n: 55, low: 27, moderate: 12, high: 16, suppressed: [] });
    expect(state.share_high).toBeCloseTo(16 / 55, 12);
    expect(state.mean_risk).toBeCloseTo((27 * 0.1 + 12 * 0.3 + 16 * 0.7) / 55, 12);
  });

  it("suppresses the 4 English learners of school E1 and a complement beside them, marked not zeroed", () => {
    const ell = find({ scope: "school", school_id: "E1", grade: "all", dimension: "ell" });
    const yes = ell.find((c) => c.value === "1")!;
    const no = ell.find((c) => c.value === "0")!;
    expect(yes.n).toBeNull();
    expect(yes.suppressed).toContain("n");
    expect(yes.mean_risk).toBeNull();
    expect(no.n).toBeNull(); // 30 − 26 would give the 4 back
    expect(no.suppressed).toContain("n");
  });

  it("shows no count with 0 < n < 10 anywhere, and no hidden count can be undone by one subtraction", () => {
    expect(smallVisibleCounts(cells, 10)).toEqual([]);
    expect(recoverableCells(cells)).toEqual([]);
    expect(cells.some((c) => c.suppressed.length > 0)).toBe(true);
  });
});
