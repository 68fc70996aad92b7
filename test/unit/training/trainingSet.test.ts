import { describe, expect, it } from "vitest";
import { buildTrainingSets, indicatorCount, indicatorIndex as I, trainingSetKey, type StudentHistory } from "../../../src/core/index.ts";
import { trainRiskModel } from "../../../training/trainRiskModel.ts";
import { career } from "../../support/studentRows.ts";

const LAST = 2027;
const history = (studentId: string, rows: ReturnType<typeof career>): StudentHistory => ({ studentId, rows: rows.map((r) => ({ ...r, student_id: studentId })) });

describe("buildTrainingSets", () => {
  it("makes one example per band-grade row before the milestone, labelled missed or reached, with its cohort", () => {
    const reader = history("A", career({ year: 2018, grade: 1 }, [{}, {}, { ela_scaled: "480" }, { ela_scaled: "505" }]));
    const sets = buildTrainingSets([reader], LAST);
    const g1 = sets.get(trainingSetKey("early_literacy", 1))!;
    const g3 = sets.get(trainingSetKey("early_literacy", 3))!;
    expect(g1.n).toBe(1);
    expect(Array.from(g1.missed)).toEqual([1]);
    expect(Array.from(g1.cohortYear)).toEqual([2020]);
    expect(g3.n).toBe(1);
    expect(g3.indicators[I.ela_recent]).toBeNaN(); // the grade 3 score is the outcome, not an input
  });

  it("leaves out rows after the outcome was decided (a retained grade 3 year)", () => {
    const retained = history("B", career({ year: 2019, grade: 3 }, [{ ela_scaled: "470" }]));
    retained.rows.push({ ...retained.rows[0], school_year: 2020, ela_scaled: 490 });
    const g3 = buildTrainingSets([retained], LAST).get(trainingSetKey("early_literacy", 3))!;
    expect(g3.n).toBe(1);
  });

  it("counts unknown outcomes by reason and never trains on them", () => {
    const moved = history("C", career({ year: 2020, grade: 10 }, [{}, { exit_status: "transferred_out" }]));
    const set = buildTrainingSets([moved], LAST).get(trainingSetKey("on_time_graduation", 10))!;
    expect(set.n).toBe(0);
    expect(set.unknownByReason).toEqual({ transferred_out: 1 });
  });

  it("leaves out a cohort whose due year is not over, even for outcomes already known", () => {
    // Grade 9 in 2025: graduation falls due in 2028. The dropout is known, the graduates are not.
    const dropout = history("D", career({ year: 2025, grade: 9 }, [{}, { exit_status: "dropped_out" }]));
    const set = buildTrainingSets([dropout], LAST).get(trainingSetKey("on_time_graduation", 10))!;
    expect(set.n).toBe(0);
    expect(set.unknownByReason).toEqual({ cohort_still_open: 1 });
    const closed = history("E", career({ year: 2020, grade: 9 }, [{}, { exit_status: "dropped_out" }]));
    expect(buildTrainingSets([closed], LAST).get(trainingSetKey("on_time_graduation", 10))!.n).toBe(1);
  });
});

describe("trainRiskModel", () => {
  const options = { l2: 1, cutPoints: [0.2, 0.5] as const, ewisVersion: "test", data: { sha256: "0", rows: 0 } };

  function syntheticSet(n: number, cohorts: number[]) {
    // Attendance drives the outcome through a known logistic curve.
    const indicators = new Float64Array(n * indicatorCount).fill(0);
    const missed = new Uint8Array(n);
    const cohortYear = new Int32Array(n);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < n; i++) {
      const attendance = 0.8 + 0.2 * random();
      indicators[i * indicatorCount + I.attendance_rate] = attendance;
      missed[i] = random() < 1 / (1 + Math.exp(-(-30 * (attendance - 0.9)))) ? 1 : 0;
      cohortYear[i] = cohorts[i % cohorts.length];
    }
    return { milestone: "early_literacy" as const, grade: 2, n, indicators, missed, cohortYear, student: new Int32Array(n), row: new Int32Array(n), unknownByReason: {} };
  }

  it("validates on the most recent cohort and refits on all", () => {
    const result = trainRiskModel(syntheticSet(3000, [2023, 2024, 2025]), options);
    if (!("model" in result)) throw new Error(result.skipped);
    const { model } = result;
    expect(model.validation.cohort).toBe(2025);
    expect(model.validation.examples).toBe(1000);
    expect(model.validation.trainedOn).toBe(2000);
    expect(model.training.examples).toBe(3000);
    expect(model.training.cohorts).toEqual([2023, 2024, 2025]);
    expect(model.features.map((f) => f.name)).toEqual(["attendance_rate"]);
    expect(model.features[0].coefficient).toBeLessThan(0);
    expect(model.validation.auc).toBeGreaterThan(0.75);
    expect(model.validation.tiers.reduce((s, t) => s + t.n, 0)).toBe(1000);
  });

  it("skips with a reason when data are too few, one-sided or from one cohort", () => {
    expect(trainRiskModel(syntheticSet(150, [2024, 2025]), options)).toEqual({ skipped: expect.stringMatching(/150 known outcomes; at least 200/) });
    expect(trainRiskModel(syntheticSet(1000, [2025]), options)).toEqual({ skipped: expect.stringMatching(/only one cohort \(2025\)/) });
    const allReached = syntheticSet(1000, [2024, 2025]);
    allReached.missed.fill(0);
    expect(trainRiskModel(allReached, options)).toEqual({ skipped: expect.stringMatching(/1000 reached and 0 missed/) });
  });
});
