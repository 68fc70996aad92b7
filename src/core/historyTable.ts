import type { StudentHistory } from "./studentHistory.ts";
import { exitStatuses, genderCodes, postsecondaryFlags, raceEthnicityCodes, statusFlags } from "./contractColumns.ts";
import type { StudentYear } from "./studentYear.ts";

/**
 * The accepted student-year rows of a history, column by column. A state's history is about
 * four million rows; as one object each it would take ≈ 3 GB, as typed columns ≈ 260 MB. A
 * student's rows become objects only while that student is worked on (`histories()`).
 */

export const flagColumns = [...statusFlags, ...postsecondaryFlags] as const;
/** Whole numbers with no upper bound in the contract: Int32 until a value needs more. */
export const countColumns = ["iss_count", "oss_count", "school_moves", "courses_attempted", "courses_failed"] as const;

const FLAGS = flagColumns.length;
const COUNTS = countColumns.length;
const INT32_MAX = 2 ** 31 - 1;

/** Columns of rows in file order, with their own dictionaries: what a reader (or a worker) hands over. */
export interface HistoryChunk {
  rows: number;
  student: Int32Array;
  year: Int16Array;
  district: Int32Array;
  school: Int32Array;
  grade: Int8Array;
  /** Dictionary code, -1 blank (a few thousand distinct dates, each checked once). */
  birthDate: Int32Array;
  /** Codes into `genderCodes`, `raceEthnicityCodes`; -1 blank. */
  gender: Int8Array;
  race: Int8Array;
  /** `FLAGS` per row in `flagColumns` order: 0, 1, or -1 blank. */
  flags: Int8Array;
  daysEnrolled: Int16Array;
  daysPresent: Int16Array;
  /** `COUNTS` per row in `countColumns` order, -1 blank; Float64 once a value passes Int32. */
  counts: Int32Array | Float64Array;
  /** Scaled scores, -1 blank. */
  ela: Int16Array;
  math: Int16Array;
  /** Code into `exitStatuses`. */
  exit: Int8Array;
  /** Physical line of each row in the file: rejects and duplicates name it. */
  line: Float64Array;
  students: string[];
  districts: string[];
  schools: string[];
  birthDates: string[];
}

class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.codes.set(value, code);
      this.values.push(value);
    }
    return code;
  }
}

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

/**
 * Chunks read in parallel, joined in order: codes are remapped into one set of dictionaries, so
 * a student whose rows fall into two chunks is one student.
 */
export function joinChunks(chunks: readonly HistoryChunk[]): HistoryChunk {
  if (chunks.length === 1) return chunks[0];
  const rows = chunks.reduce((sum, c) => sum + c.rows, 0);
  const wide = chunks.some((c) => c.counts instanceof Float64Array);
  const joined: HistoryChunk = {
    rows,
    student: new Int32Array(rows), year: new Int16Array(rows), district: new Int32Array(rows), school: new Int32Array(rows),
    grade: new Int8Array(rows), birthDate: new Int32Array(rows), gender: new Int8Array(rows), race: new Int8Array(rows),
    flags: new Int8Array(rows * FLAGS), daysEnrolled: new Int16Array(rows), daysPresent: new Int16Array(rows),
    counts: wide ? new Float64Array(rows * COUNTS) : new Int32Array(rows * COUNTS),
    ela: new Int16Array(rows), math: new Int16Array(rows), exit: new Int8Array(rows), line: new Float64Array(rows),
    students: [], districts: [], schools: [], birthDates: [],
  };
  const dictionaries = { students: new Dictionary(), districts: new Dictionary(), schools: new Dictionary(), birthDates: new Dictionary() };
  let at = 0;
  for (const chunk of chunks) {
    const remap = (values: string[], into: Dictionary) => Int32Array.from(values, (v) => into.code(v));
    const student = remap(chunk.students, dictionaries.students);
    const district = remap(chunk.districts, dictionaries.districts);
    const school = remap(chunk.schools, dictionaries.schools);
    const birthDate = remap(chunk.birthDates, dictionaries.birthDates);
    for (let i = 0; i < chunk.rows; i++) {
      joined.student[at + i] = student[chunk.student[i]];
      joined.district[at + i] = district[chunk.district[i]];
      joined.school[at + i] = school[chunk.school[i]];
      joined.birthDate[at + i] = chunk.birthDate[i] < 0 ? -1 : birthDate[chunk.birthDate[i]];
    }
    for (const name of ["year", "grade", "gender", "race", "daysEnrolled", "daysPresent", "ela", "math", "exit", "line"] as const) {
      (joined[name] as unknown as Int32Array).set(chunk[name] as unknown as Int32Array, at);
    }
    joined.flags.set(chunk.flags, at * FLAGS);
    joined.counts.set(chunk.counts, at * COUNTS);
    at += chunk.rows;
  }
  joined.students = dictionaries.students.values;
  joined.districts = dictionaries.districts.values;
  joined.schools = dictionaries.schools.values;
  joined.birthDates = dictionaries.birthDates.values;
  return joined;
}

/** The accepted rows, grouped by student (first appearance order) and by year within a student. */
export class HistoryTable {
  /** Row indexes, student by student, oldest year first. */
  private readonly order: Int32Array;
  /** Student s owns `order[start[s] .. start[s + 1])`. */
  private readonly start: Int32Array;
  readonly firstYear: number;
  readonly lastYear: number;

  constructor(readonly chunk: HistoryChunk) {
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
