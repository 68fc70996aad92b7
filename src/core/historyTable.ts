/**
 * A history's rows grouped by student and ordered by year, over the columns without copying
 * them: histories arrive in any row order, and everything downstream (outcomes, indicators,
 * scores) works a student at a time. A student's rows become objects only while that student
 * is worked on (`histories()`), so a state's history fits in memory.
 */
import { exitStatuses, genderCodes, raceEthnicityCodes } from "./contractColumns.ts";
import { COUNTS, FLAGS, flagColumns, type HistoryChunk } from "./historyChunk.ts";
import { HistoryChunkBuilder } from "./historyChunkBuilder.ts";
import type { StudentHistory } from "./studentHistory.ts";
import type { StudentYear } from "./studentYear.ts";

/** The accepted rows, grouped by student (first appearance order) and by year within a student. */
export class HistoryTable {
  /** Row indexes, student by student, oldest year first. */
  private order: Int32Array;
  /** Student s owns `order[start[s] .. start[s + 1])`. */
  private start: Int32Array;
  readonly firstYear: number;
  readonly lastYear: number;

  private rowsHeld: HistoryChunk;

  constructor(chunk: HistoryChunk) {
    this.rowsHeld = chunk;
    const { rows, student, year } = chunk;
    const students = chunk.students.length;
    const start = new Int32Array(students + 1);
    for (let i = 0; i < rows; i++) start[student[i] + 1]++;
    for (let s = 0; s < students; s++) start[s + 1] += start[s];
    const fill = start.slice(0, students);
    const order = new Int32Array(rows);
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < rows; i++) {
      order[fill[student[i]]++] = i;
      if (year[i] < first) first = year[i];
      if (year[i] > last) last = year[i];
    }
    // Histories arrive in any row order (`docs/data-contract.md`); a student has a handful of rows.
    for (let s = 0; s < students; s++) {
      for (let a = start[s] + 1; a < start[s + 1]; a++) {
        const row = order[a];
        let b = a;
        while (b > start[s] && year[order[b - 1]] > year[row]) {
          order[b] = order[b - 1];
          b--;
        }
        order[b] = row;
      }
    }
    this.order = order;
    this.start = start;
    this.firstYear = first;
    this.lastYear = last;
  }

  /** The columns of the rows (empty after `release`). */
  get chunk(): HistoryChunk {
    return this.rowsHeld;
  }

  /**
   * Lets the rows go, keeping the span of years: a term run is done with them once every
   * student is scored, and a state's (≈ 350 MB of columns, order and ids) would otherwise sit
   * beside the rollups' suppression, the run's peak. The table is empty afterwards.
   */
  release(): void {
    this.rowsHeld = new HistoryChunkBuilder().finish();
    this.order = new Int32Array(0);
    this.start = new Int32Array(1);
  }

  get rowCount(): number {
    return this.chunk.rows;
  }

  get studentCount(): number {
    return this.chunk.students.length;
  }

  /** Row indexes of student `s`, oldest first. */
  rowsOf(s: number): Int32Array {
    return this.order.subarray(this.start[s], this.start[s + 1]);
  }

  history(s: number): StudentHistory {
    const rows: StudentYear[] = [];
    for (const i of this.rowsOf(s)) rows.push(this.row(i));
    return { studentId: this.chunk.students[s], rows };
  }

  /** Each student's rows as objects, one student at a time: only one history is alive at once. */
  *histories(): Generator<StudentHistory> {
    for (let s = 0; s < this.studentCount; s++) yield this.history(s);
  }

  /** The table without the rows `drop` marks (repeated keys); students left with no row are gone too. */
  without(drop: (row: number) => boolean): HistoryTable {
    const builder = new HistoryChunkBuilder();
    for (let i = 0; i < this.rowCount; i++) if (!drop(i)) builder.appendRow(this.row(i), this.chunk.line[i]);
    return new HistoryTable(builder.finish());
  }

  /** Every row in file order, as objects: for small files and tests. */
  rows(): StudentYear[] {
    return Array.from({ length: this.rowCount }, (_, i) => this.row(i));
  }

  row(i: number): StudentYear {
    const c = this.chunk;
    const row: StudentYear = {
      student_id: c.students[c.student[i]],
      school_year: c.year[i],
      district_id: c.districts[c.district[i]],
      school_id: c.schools[c.school[i]],
      grade: c.grade[i],
      birth_date: c.birthDate[i] < 0 ? undefined : c.birthDates[c.birthDate[i]],
      gender: c.gender[i] < 0 ? undefined : genderCodes[c.gender[i]],
      race_ethnicity: c.race[i] < 0 ? undefined : raceEthnicityCodes[c.race[i]],
      days_enrolled: c.daysEnrolled[i],
      days_present: c.daysPresent[i],
      iss_count: countAt(c, i, 0) ?? 0,
      oss_count: countAt(c, i, 1) ?? 0,
      school_moves: countAt(c, i, 2) ?? 0,
      ela_scaled: c.ela[i] < 0 ? undefined : c.ela[i],
      math_scaled: c.math[i] < 0 ? undefined : c.math[i],
      courses_attempted: countAt(c, i, 3),
      courses_failed: countAt(c, i, 4),
      exit_status: exitStatuses[c.exit[i]],
    };
    for (let k = 0; k < FLAGS; k++) row[flagColumns[k]] = flagAt(c, i, k);
    return row;
  }
}

// Module functions, not closures made per row: four million rows a term.
function flagAt(c: HistoryChunk, i: number, k: number): 0 | 1 | undefined {
  const v = c.flags[i * FLAGS + k];
  return v < 0 ? undefined : (v as 0 | 1);
}

function countAt(c: HistoryChunk, i: number, k: number): number | undefined {
  const v = c.counts[i * COUNTS + k];
  return v < 0 ? undefined : v;
}
