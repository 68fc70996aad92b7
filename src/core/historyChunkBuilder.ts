/**
 * Filling a `HistoryChunk` row by row: the columns grow as rows arrive (a reader does not know
 * the row count ahead), ids are coded as they come, and `finish` trims the columns to size so
 * their buffers can move to another thread. Every way a row gets in (CSV cells, a parsed row)
 * ends in the one `append`, so the columns are coded the same way whatever the source.
 */
import { exitStatuses, genderCodes, raceEthnicityCodes } from "./contractColumns.ts";
import { COUNTS, countColumns, Dictionary, FLAGS, flagColumns, type HistoryChunk } from "./historyChunk.ts";
import type { StudentYear } from "./studentYear.ts";

const INT32_MAX = 2 ** 31 - 1;

/**
 * One row's values as the columns hold them: ids as text (the builder codes them), -1 for a
 * blank code, flag, count or score. Filled in place and reused row after row.
 */
export interface RowCodes {
  studentId: string;
  year: number;
  districtId: string;
  schoolId: string;
  grade: number;
  birthDate: string | undefined;
  gender: number;
  race: number;
  /** In `flagColumns` order. */
  flags: Int8Array;
  daysEnrolled: number;
  daysPresent: number;
  /** In `countColumns` order. */
  counts: Float64Array;
  ela: number;
  math: number;
  exit: number;
}

export function emptyRowCodes(): RowCodes {
  return {
    studentId: "", year: 0, districtId: "", schoolId: "", grade: 0, birthDate: undefined, gender: -1, race: -1,
    flags: new Int8Array(FLAGS), daysEnrolled: 0, daysPresent: 0, counts: new Float64Array(COUNTS), ela: -1, math: -1, exit: 0,
  };
}

const scratch = emptyRowCodes();

type Growable = Exclude<keyof HistoryChunk, "rows" | "students" | "districts" | "schools" | "birthDates">;
const widths: Record<Growable, number> = {
  student: 1, year: 1, district: 1, school: 1, grade: 1, birthDate: 1, gender: 1, race: 1, flags: FLAGS,
  daysEnrolled: 1, daysPresent: 1, counts: COUNTS, ela: 1, math: 1, exit: 1, line: 1,
};

/**
 * Appends validated rows to growing columns. `studentYearCells.ts` appends straight from CSV
 * cells and `appendRow` a row the schema has parsed; both go through `append`.
 */
export class HistoryChunkBuilder {
  private capacity = 1 << 14;
  rows = 0;
  readonly columns = {
    student: new Int32Array(this.capacity),
    year: new Int16Array(this.capacity),
    district: new Int32Array(this.capacity),
    school: new Int32Array(this.capacity),
    grade: new Int8Array(this.capacity),
    birthDate: new Int32Array(this.capacity),
    gender: new Int8Array(this.capacity),
    race: new Int8Array(this.capacity),
    flags: new Int8Array(this.capacity * FLAGS),
    daysEnrolled: new Int16Array(this.capacity),
    daysPresent: new Int16Array(this.capacity),
    counts: new Int32Array(this.capacity * COUNTS) as Int32Array | Float64Array,
    ela: new Int16Array(this.capacity),
    math: new Int16Array(this.capacity),
    exit: new Int8Array(this.capacity),
    line: new Float64Array(this.capacity),
  };
  readonly students = new Dictionary();
  readonly districts = new Dictionary();
  readonly schools = new Dictionary();
  readonly birthDates = new Dictionary();

  /** Writes one row's values, coded as `RowCodes` says: the one place columns are filled. */
  append(v: RowCodes, line: number): void {
    if (this.rows === this.capacity) this.grow();
    const i = this.rows++;
    const c = this.columns;
    c.student[i] = this.students.code(v.studentId);
    c.year[i] = v.year;
    c.district[i] = this.districts.code(v.districtId);
    c.school[i] = this.schools.code(v.schoolId);
    c.grade[i] = v.grade;
    c.birthDate[i] = v.birthDate === undefined ? -1 : this.birthDates.code(v.birthDate);
    c.gender[i] = v.gender;
    c.race[i] = v.race;
    c.flags.set(v.flags, i * FLAGS);
    c.daysEnrolled[i] = v.daysEnrolled;
    c.daysPresent[i] = v.daysPresent;
    for (let k = 0; k < COUNTS; k++) {
      if (v.counts[k] > INT32_MAX && c.counts instanceof Int32Array) c.counts = Float64Array.from(c.counts);
      c.counts[i * COUNTS + k] = v.counts[k];
    }
    c.ela[i] = v.ela;
    c.math[i] = v.math;
    c.exit[i] = v.exit;
    c.line[i] = line;
  }

  /** A row the schema has parsed. */
  appendRow(row: StudentYear, line: number): void {
    const v = scratch;
    v.studentId = row.student_id;
    v.year = row.school_year;
    v.districtId = row.district_id;
    v.schoolId = row.school_id;
    v.grade = row.grade;
    v.birthDate = row.birth_date;
    v.gender = row.gender === undefined ? -1 : genderCodes.indexOf(row.gender);
    v.race = row.race_ethnicity === undefined ? -1 : raceEthnicityCodes.indexOf(row.race_ethnicity);
    for (let k = 0; k < FLAGS; k++) v.flags[k] = row[flagColumns[k]] ?? -1;
    v.daysEnrolled = row.days_enrolled;
    v.daysPresent = row.days_present;
    for (let k = 0; k < COUNTS; k++) v.counts[k] = row[countColumns[k]] ?? -1;
    v.ela = row.ela_scaled ?? -1;
    v.math = row.math_scaled ?? -1;
    v.exit = exitStatuses.indexOf(row.exit_status);
    this.append(v, line);
  }

  /** The rows so far, trimmed to size: its buffers can be transferred to another thread. */
  finish(): HistoryChunk {
    const n = this.rows;
    const trimmed = Object.fromEntries(
      Object.entries(this.columns).map(([name, array]) => [name, array.slice(0, n * widths[name as Growable])]),
    ) as unknown as Pick<HistoryChunk, Growable>;
    return {
      rows: n,
      ...trimmed,
      students: this.students.values,
      districts: this.districts.values,
      schools: this.schools.values,
      birthDates: this.birthDates.values,
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const c = this.columns as Record<Growable, Int8Array | Int16Array | Int32Array | Float64Array>;
    for (const name of Object.keys(c) as Growable[]) {
      const bigger = new (c[name].constructor as Int32ArrayConstructor)(this.capacity * widths[name]);
      bigger.set(c[name] as Int32Array);
      c[name] = bigger;
    }
  }
}
