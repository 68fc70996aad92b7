import { computeIndicators, indicatorCount } from "./indicators.ts";
import { milestoneOutcome, type MilestoneOutcome, type UnknownReason } from "./milestoneOutcome.ts";
import { openMilestones, outcomePerRow, type Milestone } from "./milestones.ts";
import type { StudentHistory } from "./studentHistory.ts";

/**
 * Every row of a band grade that comes before its milestone was decided becomes an example for
 * the (milestone, grade) model of each milestone open at that row (`openMilestones`, the same
 * rule scoring uses): its indicators, whether the student missed, and its cohort (the
 * year the milestone fell due), which decides the held-out validation cohort. Students whose
 * outcome is unknown are left out and counted by reason, never taken as reached or missed.
 * A cohort whose due year is not over yet is left out whole: its dropouts are known but its
 * graduates are not, and learning from it would teach the model that everyone drops out.
 */
export interface TrainingSet {
  milestone: Milestone;
  grade: number;
  n: number;
  indicators: Float64Array; // n × indicatorCount, NaN = missing
  missed: Uint8Array;
  cohortYear: Int32Array;
  /** Where each example came from: the history's index and the row's index in it. */
  student: Int32Array;
  row: Int32Array;
  unknownByReason: Partial<Record<UnknownReason, number>>;
}

export const trainingSetKey = (milestone: Milestone, grade: number): string => `${milestone}-g${grade}`;

class ExampleBuffer {
  n = 0;
  indicators = new Float64Array(256 * indicatorCount);
  missed = new Uint8Array(256);
  cohortYear = new Int32Array(256);
  student = new Int32Array(256);
  row = new Int32Array(256);
  unknownByReason: Partial<Record<UnknownReason, number>> = {};

  slot(): number {
    if (this.n === this.missed.length) {
      const grow = <T extends Float64Array | Uint8Array | Int32Array>(a: T, size: number): T => {
        const b = new (a.constructor as new (n: number) => T)(size);
        b.set(a);
        return b;
      };
      this.indicators = grow(this.indicators, this.indicators.length * 2);
      this.missed = grow(this.missed, this.missed.length * 2);
      this.cohortYear = grow(this.cohortYear, this.cohortYear.length * 2);
      this.student = grow(this.student, this.student.length * 2);
      this.row = grow(this.row, this.row.length * 2);
    }
    return this.n++;
  }
}

/** `histories` is read once, in order: an example's `student` is the history's position in it. */
export function buildTrainingSets(histories: Iterable<StudentHistory>, lastYear: number): Map<string, TrainingSet> {
  const buffers = new Map<string, ExampleBuffer>();
  const buffer = (m: Milestone, g: number) => {
    const key = trainingSetKey(m, g);
    let b = buffers.get(key);
    if (!b) buffers.set(key, (b = new ExampleBuffer()));
    return b;
  };
  let h = -1;
  for (const { rows } of histories) {
    h++;
    // A first-time milestone has one outcome per student; a follow-on one, one per row.
    const outcomes = new Map<Milestone, MilestoneOutcome>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      for (const milestone of openMilestones(rows, i)) {
        const perRow = outcomePerRow(milestone);
        let outcome = perRow ? undefined : outcomes.get(milestone);
        if (!outcome) {
          outcome = milestoneOutcome(milestone, rows, lastYear, i);
          if (!perRow) outcomes.set(milestone, outcome);
        }
        const b = buffer(milestone, row.grade);
        if (outcome.outcome === "unknown" || outcome.cohortYear >= lastYear) {
          const reason = outcome.outcome === "unknown" ? outcome.reason : "cohort_still_open";
          b.unknownByReason[reason] = (b.unknownByReason[reason] ?? 0) + 1;
          continue;
        }
        if (row.school_year > outcome.decidedYear) continue; // already decided: not a prediction
        const slot = b.slot();
        computeIndicators(rows, i, b.indicators.subarray(slot * indicatorCount, (slot + 1) * indicatorCount));
        b.missed[slot] = outcome.outcome === "missed" ? 1 : 0;
        b.cohortYear[slot] = outcome.cohortYear;
        b.student[slot] = h;
        b.row[slot] = i;
      }
    }
  }
  const sets = new Map<string, TrainingSet>();
  for (const [key, b] of [...buffers].sort(([a], [c]) => a.localeCompare(c))) {
    const [milestone, grade] = key.split("-g");
    sets.set(key, {
      milestone: milestone as Milestone,
      grade: Number(grade),
      n: b.n,
      indicators: b.indicators.slice(0, b.n * indicatorCount),
      missed: b.missed.slice(0, b.n),
      cohortYear: b.cohortYear.slice(0, b.n),
      student: b.student.slice(0, b.n),
      row: b.row.slice(0, b.n),
      unknownByReason: b.unknownByReason,
    });
  }
  return sets;
}
