import { describe, expect, it } from "vitest";
import { recoverableCells, smallVisibleCounts, solvableCells } from "../../support/privacyAttack.ts";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { computeRollups, determinedCells, DisclosureAudit, suppressCells, type RollupCell, type RollupInput } from "../../../src/core/index.ts";
import { exactlyDeterminedCells } from "../../support/exactAudit.ts";

/** Brute force: cell i is determined iff adding e_i to the equations leaves the rank unchanged. */
function bruteForce(hidden: Uint8Array, relations: { total: number; parts: number[] }[]): number[] {
  const vars = [...hidden.keys()].filter((i) => hidden[i]);
  const rows = relations
    .map((r) => vars.map((v) => (v === r.total ? 1 : 0) - r.parts.filter((p) => p === v).length))
    .filter((row) => row.some((x) => x !== 0));
  const rank = (m: number[][]) => (m.length === 0 ? 0 : new SingularValueDecomposition(new Matrix(m), { autoTranspose: true }).rank);
  const base = rank(rows);
  return vars.filter((v, j) => rank([...rows, vars.map((_, k) => (k === j ? 1 : 0))]) === base);
}

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

  it("hides every number of a group under 10 students, its zeros included", () => {
    const tiny = find({ scope: "school", school_id: "E2", dimension: "race_ethnicity", value: "B" })[0];
    expect(tiny).toMatchObject({ n: null, low: null, moderate: null, high: null, mean_risk: null });
    expect(tiny.suppressed).toEqual(["n", "low", "moderate", "high"]);
  });

  it("shows no count with 0 < n < 10 anywhere, and no hidden count can be undone by one subtraction", () => {
    expect(smallVisibleCounts(cells, 10)).toEqual([]);
    expect(recoverableCells(cells)).toEqual([]);
    expect(solvableCells(cells)).toEqual([]);
    expect(cells.some((c) => c.suppressed.length > 0)).toBe(true);
  });
});

describe("determinedCells", () => {

  it("finds the cells a bridge between two blocks pins down, which no single subtraction gives", () => {
    // A 2 × 4 table of parts with row and column totals: hidden cells a,b (row 1) and c,d
    // (row 2) in columns 1–2 form a block; e in row 1 col 3 and f in row 2 col 3 would be a
    // second block. Each row and column with a hidden cell has two, yet some cells are fixed.
    const grid = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ];
    const rowTotals = [8, 9];
    const colTotals = [10, 11, 12, 13];
    const relations = [
      ...grid.map((row, r) => ({ total: rowTotals[r], parts: row })),
      ...colTotals.map((total, c) => ({ total, parts: grid.map((row) => row[c]) })),
    ];
    const hidden = new Uint8Array(14);
    for (const cell of [0, 1, 4, 5, 2, 6]) hidden[cell] = 1;
    expect(determinedCells(hidden, relations)).toEqual(bruteForce(hidden, relations));
    hidden.fill(0);
    for (const cell of [0, 3, 4, 7, 1, 2]) hidden[cell] = 1; // row 1 hides 4 cells, row 2 two
    expect(determinedCells(hidden, relations)).toEqual(bruteForce(hidden, relations));
    expect(determinedCells(hidden, relations).length).toBeGreaterThan(0);
  });

  it("agrees with a brute-force rank test on random tables", () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 30; trial++) {
      const rows = 2 + Math.floor(random() * 3);
      const cols = 2 + Math.floor(random() * 3);
      const cell = (r: number, c: number) => r * cols + c;
      const rowTotal = (r: number) => rows * cols + r;
      const colTotal = (c: number) => rows * cols + rows + c;
      const grand = rows * cols + rows + cols;
      const relations = [
        ...Array.from({ length: rows }, (_, r) => ({ total: rowTotal(r), parts: Array.from({ length: cols }, (_, c) => cell(r, c)) })),
        ...Array.from({ length: cols }, (_, c) => ({ total: colTotal(c), parts: Array.from({ length: rows }, (_, r) => cell(r, c)) })),
        { total: grand, parts: Array.from({ length: rows }, (_, r) => rowTotal(r)) },
      ];
      const hidden = new Uint8Array(grand + 1);
      for (let i = 0; i <= grand; i++) hidden[i] = random() < 0.4 ? 1 : 0;
      expect(determinedCells(hidden, relations), `trial ${trial}`).toEqual(bruteForce(hidden, relations));
    }
  });
});

describe("suppressCells against the joint attack", () => {
  it("leaves no hidden cell that all the equations together determine", () => {
    // The case greedy alone gets wrong: row 1 hides (0,1), row 2 hides (4,5), and a lone
    // primary at 2 gets its row complement 3 — each row and column has two hidden cells or none.
    const counts = [3, 40, 4, 50, 30, 45, 60, 70, 97, 205, 33, 85, 64, 120];
    const grid = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ];
    const relations = [
      { total: 8, parts: grid[0] },
      { total: 9, parts: grid[1] },
      ...[10, 11, 12, 13].map((total, c) => ({ total, parts: [grid[0][c], grid[1][c]] })),
    ];
    const hidden = suppressCells(counts, relations, 10);
    expect(hidden[0]).toBe(1);
    expect(hidden[2]).toBe(1);
    expect(determinedCells(hidden, relations)).toEqual([]);
  });
});

describe("DisclosureAudit, one group of hidden cells at a time", () => {
  let seed = 11;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  /** Several small two-level tables (cells, row and column totals, a grand total), some tied by a shared total above them. */
  function randomSystem() {
    const relations: { total: number; parts: number[] }[] = [];
    let next = 0;
    const grands: number[] = [];
    const tables = 2 + Math.floor(random() * 4);
    for (let t = 0; t < tables; t++) {
      const rows = 2 + Math.floor(random() * 3);
      const cols = 2 + Math.floor(random() * 3);
      const base = next;
      next += rows * cols + rows + cols + 1;
      const cell = (r: number, c: number) => base + r * cols + c;
      const rowTotal = (r: number) => base + rows * cols + r;
      const colTotal = (c: number) => base + rows * cols + rows + c;
      const grand = base + rows * cols + rows + cols;
      for (let r = 0; r < rows; r++) relations.push({ total: rowTotal(r), parts: Array.from({ length: cols }, (_, c) => cell(r, c)) });
      for (let c = 0; c < cols; c++) relations.push({ total: colTotal(c), parts: Array.from({ length: rows }, (_, r) => cell(r, c)) });
      relations.push({ total: grand, parts: Array.from({ length: rows }, (_, r) => rowTotal(r)) });
      grands.push(grand);
    }
    const tied = grands.filter(() => random() < 0.6);
    if (tied.length >= 2) relations.push({ total: next++, parts: tied });
    // Shuffle, so groups and relations interleave.
    for (let i = relations.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [relations[i], relations[j]] = [relations[j], relations[i]];
    }
    return { cells: next, relations };
  }

  it("finds the same determined cells as the exact whole-system audit, round after round as cells are hidden", () => {
    for (let trial = 0; trial < 40; trial++) {
      const { cells, relations } = randomSystem();
      const hidden = new Uint8Array(cells);
      for (let i = 0; i < cells; i++) hidden[i] = random() < 0.25 ? 1 : 0;
      const audit = new DisclosureAudit(hidden, relations);
      for (let round = 0; round < 5; round++) {
        const expected = exactlyDeterminedCells(Uint8Array.from(hidden), relations);
        expect(audit.determined(), `trial ${trial} round ${round}`).toEqual(expected);
        expect(determinedCells(Uint8Array.from(hidden), relations)).toEqual(expected);
        const more = Math.floor(random() * 4);
        for (let m = 0; m < more; m++) audit.hide(Math.floor(random() * cells));
      }
    }
  });

  it("agrees with a brute-force rank test on tied tables", () => {
    for (let trial = 0; trial < 15; trial++) {
      const { cells, relations } = randomSystem();
      const hidden = new Uint8Array(cells);
      for (let i = 0; i < cells; i++) hidden[i] = random() < 0.35 ? 1 : 0;
      const brute = bruteForce(hidden, relations);
      expect(determinedCells(hidden, relations), `trial ${trial}`).toEqual(brute);
    }
  });

  it("leaves suppressCells with no determined cell for the independent attacker", () => {
    for (let trial = 0; trial < 40; trial++) {
      const { cells, relations } = randomSystem();
      const counts = Array.from({ length: cells }, () => (random() < 0.3 ? Math.floor(random() * 10) : 10 + Math.floor(random() * 90)));
      const hidden = suppressCells(counts, relations, 10);
      expect(exactlyDeterminedCells(hidden, relations), `trial ${trial}`).toEqual([]);
      expect(Array.from(suppressCells(counts, relations, 10))).toEqual(Array.from(hidden));
    }
  });
});
