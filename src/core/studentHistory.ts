import type { StudentYear } from "./studentYear.ts";

/** One student's rows, oldest first. Histories arrive in any row order (`docs/data-contract.md`). */
export interface StudentHistory {
  studentId: string;
  rows: StudentYear[];
}

function groupHistories(rows: readonly StudentYear[]): StudentHistory[] {
  const byStudent = new Map<string, StudentYear[]>();
  for (const row of rows) {
    const list = byStudent.get(row.student_id);
    if (list) list.push(row);
    else byStudent.set(row.student_id, [row]);
  }
  const histories: StudentHistory[] = [];
  for (const [studentId, list] of byStudent) {
    list.sort((a, b) => a.school_year - b.school_year);
    histories.push({ studentId, rows: list });
  }
  return histories;
}

/**
 * Students' histories as training and evaluation read them: in order, and again by position.
 * `HistoryTable` is one (a student's rows become objects only while asked for, so a state's
 * rows are never all objects at once); `historiesOf` makes one from rows already in memory.
 */
export interface HistorySource {
  readonly lastYear: number;
  readonly studentCount: number;
  histories(): Iterable<StudentHistory>;
  history(s: number): StudentHistory;
}

export function historiesOf(rows: readonly StudentYear[]): HistorySource {
  const grouped = groupHistories(rows);
  return { lastYear: lastSchoolYear(rows), studentCount: grouped.length, histories: () => grouped, history: (s) => grouped[s] };
}

/** The last school year in the data: the current, year-to-date one by the contract. */
export function lastSchoolYear(rows: readonly StudentYear[]): number {
  let last = -Infinity;
  for (const row of rows) if (row.school_year > last) last = row.school_year;
  return last;
}
