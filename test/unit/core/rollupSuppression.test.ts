import { describe, expect, it } from "vitest";
import {
  complementCost,
  computeRollups,
  DisclosureAudit,
  hypercubeComplements,
  linkedTableOf,
  relationsOf,
  rollupKeyString,
  suppressCells,
  suppressRollups,
  type RollupCell,
  type RollupGroup,
  type RollupInput,
} from "../../../src/core/index.ts";
import { exactlyDeterminedCells } from "../../support/exactAudit.ts";
import { recoverableCells, smallVisibleCounts, solvableCells, solvableWithZeros } from "../../support/privacyAttack.ts";

type Tier = RollupInput["tier"];
const flags = { low_income: "0", ell: "0", former_ell: "0", sped: "0", homeless: "0", foster_care: "0" };

function student(district: string, school: string, tier: Tier, grade = 3, subgroups: Partial<RollupInput["subgroups"]> = {}): RollupInput {
  return {
    district_id: district,
    school_id: school,
    milestone: "early_literacy",
    grade,
    tier,
    risk: tier === "low" ? 0.1 : tier === "moderate" ? 0.3 : 0.7,
    subgroups: { ...flags, race_ethnicity: "W", gender: "F", ...subgroups },
  };
}

/** `count` students of a school in one tier, the same in everything else. */
const many = (count: number, ...args: Parameters<typeof student>) => Array.from({ length: count }, () => student(...args));

const find = (cells: readonly RollupCell[], where: Partial<RollupCell>) =>
  cells.filter((c) => Object.entries(where).every(([k, v]) => c[k as keyof RollupCell] === v));

/** The true counts, for the tests' own bookkeeping: a threshold of 1 hides nothing. */
const truth = (inputs: RollupInput[]) => new Map(computeRollups(inputs, 1).map((c) => [rollupKeyString(c), c]));

/** A state of two districts and five schools, every school with English learners in two tiers. */
function twoDistricts(): RollupInput[] {
  const school = (d: string, s: string, ell: number) => [
    ...many(40, d, s, "low"),
    ...many(30, d, s, "moderate"),
    ...many(20, d, s, "high"),
    ...many(ell, d, s, "high", 3, { ell: "1" }),
    ...many(12, d, s, "moderate", 3, { ell: "1" }),
  ];
  return [...school("D1", "A", 3), ...school("D1", "B", 15), ...school("D1", "C", 18), ...school("D2", "X", 14), ...school("D2", "Y", 16)];
}

describe("rollup suppression that loses as little as possible", () => {
  it("protects a school's small count with a school beside it: no district or state number is hidden", () => {
    const inputs = twoDistricts();
    const cells = computeRollups(inputs, 10);
    const [a] = find(cells, { scope: "school", school_id: "A", grade: "all", dimension: "ell", value: "1" });
    expect(a.high).toBeNull();
    expect(a.suppressed_small).toEqual(["high"]);
    // Above the schools every number is shown: the 3 at school A are protected beside it.
    for (const c of cells.filter((c) => c.scope !== "school")) expect(c.suppressed, rollupKeyString(c)).toEqual([]);
    const hiddenSchools = new Set(cells.filter((c) => c.suppressed.length > 0).map((c) => c.school_id));
    expect(hiddenSchools.size).toBe(2); // school A and one sibling in its district
    expect([...hiddenSchools].every((s) => s === "A" || s === "B" || s === "C")).toBe(true);
    expect(smallVisibleCounts(cells, 10)).toEqual([]);
    expect(solvableCells(cells)).toEqual([]);
  });

  it("hides one more tier count in a group with one small tier count, never the group's size", () => {
    const inputs = twoDistricts();
    const cells = computeRollups(inputs, 10);
    const counts = truth(inputs);
    for (const c of cells.filter((c) => c.suppressed.length > 0)) {
      const real = counts.get(rollupKeyString(c))!;
      expect(real.n).toBeGreaterThanOrEqual(10);
      expect(c.n, rollupKeyString(c)).not.toBeNull();
      expect(c.suppressed).toHaveLength(2); // one small or protecting tier count, and one beside it
    }
  });

  it("pairs two small subgroups with each other before it hides a large one or everyone", () => {
    // Statewide, 4 students are N and 5 are P: each hides the other; W and H (hundreds) stay whole.
    const inputs = ["S1", "S2", "S3"].flatMap((s, k) => [
      ...many(60, "D1", s, "low", 3, { race_ethnicity: "W" }),
      ...many(50, "D1", s, "high", 3, { race_ethnicity: "H" }),
      ...many(40, "D1", s, "moderate", 3, { race_ethnicity: k === 2 ? "H" : "W" }),
      ...(k < 2 ? many(2, "D1", s, "high", 3, { race_ethnicity: "N" }) : []),
      ...(k > 0 ? many(k + 1, "D1", s, "low", 3, { race_ethnicity: "P" }) : []),
    ]);
    const cells = computeRollups(inputs, 10);
    for (const scope of ["state", "district"] as const) {
      const race = find(cells, { scope, dimension: "race_ethnicity" });
      expect(race.filter((c) => c.n === null).map((c) => c.value).sort()).toEqual(["N", "P"]);
      for (const c of race.filter((c) => c.value === "W" || c.value === "H")) expect(c.suppressed).toEqual([]);
      expect(find(cells, { scope, dimension: "all", grade: "all" })[0].suppressed).toEqual([]);
    }
    expect(solvableCells(cells)).toEqual([]);
    expect(recoverableCells(cells)).toEqual([]);
  });

  it("pairs two small state subgroups that share no district, each going down through its own", () => {
    // 3 N students, all in district D1, and 4 P students, all in D2: no district or school has
    // both, so a plain cube cannot pair them; each goes down against the W students of its own
    // district instead, and the state's W and H groups keep every number.
    const school = (d: string, s: string, rare: string, count: number) => [
      ...many(50, d, s, "low", 3, { race_ethnicity: "W" }),
      ...many(40, d, s, "moderate", 3, { race_ethnicity: "W" }),
      ...many(30, d, s, "high", 3, { race_ethnicity: "H" }),
      ...many(20, d, s, "low", 3, { race_ethnicity: "H" }),
      ...many(count, d, s, "high", 3, { race_ethnicity: rare }),
    ];
    const inputs = [...school("D1", "A", "N", 3), ...school("D1", "B", "W", 12), ...school("D2", "X", "P", 4), ...school("D2", "Y", "H", 11)];
    const cells = computeRollups(inputs, 10);
    const state = find(cells, { scope: "state", dimension: "race_ethnicity" });
    expect(state.filter((c) => c.n === null).map((c) => c.value).sort()).toEqual(["N", "P"]);
    for (const c of state.filter((c) => c.value === "W" || c.value === "H")) expect(c.suppressed, c.value).toEqual([]);
    expect(find(cells, { scope: "state", dimension: "all", grade: "all" })[0].suppressed).toEqual([]);
    expect(solvableCells(cells)).toEqual([]);
    expect(solvableWithZeros(cells, computeRollups(inputs, 1))).toEqual([]);
  });

  it("never protects a count with zeros that could only move against each other", () => {
    // Beside school A's 3 English learners at high, its English learners at low (0) would be the
    // cheapest complement; but school B's are 0 too, and in that hypercube one zero must go up
    // while the other goes down: counts are never negative, so nothing could move and the 3
    // would be pinned. The complement is their moderate count instead.
    const school = (s: string, ellHigh: number) => [
      ...many(15, "D1", s, "low"),
      ...many(60, "D1", s, "moderate"),
      ...many(20, "D1", s, "high"),
      ...many(ellHigh, "D1", s, "high", 3, { ell: "1" }),
      ...many(12, "D1", s, "moderate", 3, { ell: "1" }),
    ];
    const cells = computeRollups([...school("A", 3), ...school("B", 15)], 10);
    const [a] = find(cells, { scope: "school", school_id: "A", grade: "all", dimension: "ell", value: "1" });
    expect(a.suppressed).toEqual(["moderate", "high"]);
    expect(solvableCells(cells)).toEqual([]);
  });

  it("protects a small count from an attacker who knows counts are never negative", () => {
    // No student of the district with an IEP is moderate risk: a shown 0, which says the same
    // of each school. With those zeros known, school A's 4 moderate students whose IEP status is
    // unknown would be its 10 students of that status less the 6 at high, unless more is hidden.
    const school = (s: string, unknownModerate: number, unknownHigh: number) => [
      ...many(40, "D1", s, "low", 3, { sped: "0" }),
      ...many(60, "D1", s, "moderate", 3, { sped: "0" }),
      ...many(45, "D1", s, "high", 3, { sped: "0" }),
      ...many(31, "D1", s, "high", 3, { sped: "1" }),
      ...many(unknownModerate, "D1", s, "moderate", 3, { sped: "unknown" }),
      ...many(unknownHigh, "D1", s, "high", 3, { sped: "unknown" }),
    ];
    const inputs = [...school("A", 4, 2), ...school("B", 3, 1), ...school("C", 12, 15)];
    const cells = computeRollups(inputs, 10);
    const [iep] = find(cells, { scope: "district", grade: "all", dimension: "sped", value: "1" });
    expect(iep).toMatchObject({ low: 0, moderate: 0 });
    expect(solvableWithZeros(cells, computeRollups(inputs, 1))).toEqual([]);
    expect(solvableCells(cells)).toEqual([]);
  });

  it("names why each number is hidden: small ones (with a small group's zeros), and the rest protect them", () => {
    const inputs = twoDistricts();
    inputs.push(...many(4, "D2", "Y", "low", 3, { race_ethnicity: "A" }));
    const cells = computeRollups(inputs, 10);
    const counts = truth(inputs);
    let protecting = 0;
    for (const c of cells) {
      const real = counts.get(rollupKeyString(c))!;
      const small = (["n", "low", "moderate", "high"] as const).filter((f) => real.n! < 10 || (real[f]! > 0 && real[f]! < 10));
      expect(c.suppressed_small, rollupKeyString(c)).toEqual(small);
      expect(small.every((f) => c.suppressed.includes(f))).toBe(true);
      protecting += c.suppressed.length - small.length;
    }
    expect(protecting).toBeGreaterThan(0);
    const [asian] = find(cells, { scope: "school", school_id: "Y", dimension: "race_ethnicity", value: "A" });
    expect(asian.suppressed_small).toEqual(["n", "low", "moderate", "high"]); // 4 students: zeros too
  });

  it("counts what it hides, per scope, in cells and in the students they hold", () => {
    const inputs = twoDistricts();
    const groups = groupsOf(inputs);
    const { hidden, small, loss } = suppressRollups(groups, 10);
    const school = loss.find((l) => l.scope === "school")!;
    const state = loss.find((l) => l.scope === "state")!;
    const expected = { counts: 0, small: 0, protecting: 0, students: 0, smallStudents: 0, protectingStudents: 0 };
    groups.forEach((g, i) => {
      if (g.key.scope !== "school") return;
      for (let f = 0; f < 4; f++) {
        expected.counts++;
        expected.students += g.counts[f];
        if (small[i * 4 + f]) [expected.small, expected.smallStudents] = [expected.small + 1, expected.smallStudents + g.counts[f]];
        else if (hidden[i * 4 + f]) [expected.protecting, expected.protectingStudents] = [expected.protecting + 1, expected.protectingStudents + g.counts[f]];
      }
    });
    expect(school).toMatchObject(expected);
    // Five schools with 3, 15, 18, 14 and 16 English learners in high: only school A's 3 is small.
    expect(school.small).toBe(1);
    expect(school.smallStudents).toBe(3);
    // One hypercube: 2 schools × 2 values of English learner × 2 tiers, less the small cell itself.
    expect(school.protecting).toBe(7);
    expect(state).toMatchObject({ small: 0, protecting: 0, sizesHidden: 0, largeGroupTierCountsBeyond: 0 });
  });
});

describe("hypercube complements", () => {
  it("leave nothing for the audit: on random states the audit over every group finds no hidden cell pinned", () => {
    let seed = 5;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 12; trial++) {
      const inputs = randomState(random);
      const groups = groupsOf(inputs);
      const { hidden, small } = suppressRollups(groups, 10);
      // The product trusts a group of cells that all lie on hypercubes without solving it; the
      // full audit and the independent exact one solve everything, and must agree nothing is pinned.
      expect(new DisclosureAudit(Uint8Array.from(hidden), relationsOf(groups)).determined(), `trial ${trial}`).toEqual([]);
      expect(exactlyDeterminedCells(hidden, relationsOf(groups).toArray()), `trial ${trial}`).toEqual([]);
      const cells = computeRollups(inputs, 10);
      expect(solvableWithZeros(cells, computeRollups(inputs, 1)), `trial ${trial}`).toEqual([]);
      for (let c = 0; c < small.length; c++) if (small[c]) expect(hidden[c]).toBe(1);
    }
  });

  it("hide the same cells whether or not the audit trusts them", () => {
    let seed = 9;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 8; trial++) {
      const groups = groupsOf(randomState(random));
      const counts = Int32Array.from(groups.flatMap((g) => g.counts));
      const start = new Uint8Array(counts.length);
      groups.forEach((g, i) => {
        for (let f = 0; f < 4; f++) if (g.counts[0] < 10 || (g.counts[f] > 0 && g.counts[f] < 10)) start[i * 4 + f] = 1;
      });
      const cost = complementCost(groups, counts, 10);
      const { covered } = hypercubeComplements(linkedTableOf(groups), counts, start, cost);
      const trusted = suppressCells(counts, relationsOf(groups), 10, { primary: start, cost, proven: covered });
      const solved = suppressCells(counts, relationsOf(groups), 10, { primary: start, cost });
      expect(Array.from(trusted), `trial ${trial}`).toEqual(Array.from(solved));
    }
  });
});

/** The groups of a state, ordered by key as the term run orders them. */
function groupsOf(inputs: RollupInput[]): RollupGroup[] {
  const cells = computeRollups(inputs, 1);
  return cells.map((c) => ({ key: c, counts: [c.n!, c.low!, c.moderate!, c.high!] }));
}

/** A small random state: 2–3 districts of 1–4 schools, grades 3 and 4, subgroups that are sometimes rare. */
function randomState(random: () => number): RollupInput[] {
  const tiers: Tier[] = ["low", "moderate", "high"];
  const pick = <T>(values: readonly T[], weights: readonly number[]): T => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < values.length; i++) if ((r -= weights[i]) < 0) return values[i];
    return values[values.length - 1];
  };
  const inputs: RollupInput[] = [];
  const districts = 2 + Math.floor(random() * 2);
  for (let d = 0; d < districts; d++) {
    const schools = 1 + Math.floor(random() * 4);
    for (let s = 0; s < schools; s++) {
      const size = 5 + Math.floor(random() * 80);
      for (let k = 0; k < size; k++) {
        inputs.push(
          student(`D${d}`, `D${d}S${s}`, pick(tiers, [5, 3, 2]), 3 + Math.floor(random() * 2), {
            ell: pick(["0", "1", "unknown"], [20, 4, 1]),
            low_income: pick(["0", "1"], [1, 1]),
            race_ethnicity: pick(["W", "H", "B", "N"], [10, 6, 3, 0.5]),
          }),
        );
      }
    }
  }
  return inputs;
}

