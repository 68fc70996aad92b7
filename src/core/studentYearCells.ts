import { countColumns, flagColumns, genderCodes, type HistoryChunkBuilder } from "./historyTable.ts";
import { exitStatuses, raceEthnicityCodes, studentYearColumns, studentYearSchema } from "./studentYear.ts";

/**
 * The schema's verdict on a row, without zod, for the rows that are plainly valid: at four
 * million rows a term, `studentYearSchema.safeParse` costs more than reading the CSV. It says
 * "valid" only when the schema would accept the row with exactly these values
 * (`test/studentYearCells.test.ts` holds it to that on mutated rows); anything it is not sure
 * of (a sign, a leading space, a 16-digit number, any error) goes to the schema, which stays the
 * one source of reject messages.
 */

const column = Object.fromEntries(studentYearColumns.map((c, i) => [c, i])) as Record<(typeof studentYearColumns)[number], number>;
const MAX_DIGITS = 15; // below 2^53: every such number is exact

/** Digits only, no sign, at most 15 of them; -1 otherwise. */
function wholeNumber(cell: string): number {
  const n = cell.length;
  if (n === 0 || n > MAX_DIGITS) return -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = cell.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isIdCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 45;
}

function isStudentId(cell: string): boolean {
  if (cell.length === 0 || cell.length > 32) return false;
  for (let i = 0; i < cell.length; i++) if (!isIdCode(cell.charCodeAt(i))) return false;
  return true;
}

/** A district or school id the schema takes as is: 1–32 characters, no surrounding whitespace. */
function isPlaceId(cell: string): boolean {
  const n = cell.length;
  return n > 0 && n <= 32 && cell.charCodeAt(0) > 32 && cell.charCodeAt(n - 1) > 32 && cell.charCodeAt(0) !== 0xa0 && cell.charCodeAt(n - 1) !== 0xa0 && cell.charCodeAt(0) !== 0xfeff && cell.charCodeAt(n - 1) !== 0xfeff;
}

function gradeOf(cell: string): number {
  if (cell === "K") return 0;
  if (cell.length === 1) {
    const d = cell.charCodeAt(0) - 48;
    return d >= 1 && d <= 9 ? d : -1;
  }
  return cell === "10" ? 10 : cell === "11" ? 11 : cell === "12" ? 12 : -1;
}

function flagOf(cell: string): number {
  return cell === "" ? -1 : cell === "0" ? 0 : cell === "1" ? 1 : -2;
}

/** Birth dates repeat: each distinct text is checked by the schema once. */
const birthDateValid = new Map<string, boolean>();
const birthDateSchema = studentYearSchema.shape.birth_date;
function isBirthDate(cell: string): boolean {
  let valid = birthDateValid.get(cell);
  if (valid === undefined) {
    valid = cell.length === 10 && birthDateSchema.safeParse(cell).success;
    if (birthDateValid.size < 100_000) birthDateValid.set(cell, valid);
  }
  return valid;
}

// Module functions, not closures made per row: four million rows a term.
function cellAt(cells: readonly string[], cellIndex: Int32Array, c: number): string {
  return cellIndex[c] < 0 ? "" : cells[cellIndex[c]];
}

function scaledScore(text: string): number {
  return text === "" ? -1 : wholeNumber(text);
}

/**
 * Appends the row to `builder` and returns true when it is plainly valid; returns false (and
 * appends nothing) when the schema must judge it. `cellIndex[c]` is where contract column `c`
 * sits in `cells`, -1 when the file has no such column.
 */
export function appendPlainRow(builder: HistoryChunkBuilder, cells: readonly string[], cellIndex: Int32Array, line: number): boolean {

  const studentId = cellAt(cells, cellIndex, column.student_id);
  const districtId = cellAt(cells, cellIndex, column.district_id);
  const schoolId = cellAt(cells, cellIndex, column.school_id);
  if (!isStudentId(studentId) || !isPlaceId(districtId) || !isPlaceId(schoolId)) return false;
  const year = wholeNumber(cellAt(cells, cellIndex, column.school_year));
  if (year < 1990 || year > 2100) return false;
  const grade = gradeOf(cellAt(cells, cellIndex, column.grade));
  if (grade < 0) return false;
  const birthDate = cellAt(cells, cellIndex, column.birth_date);
  if (birthDate !== "" && !isBirthDate(birthDate)) return false;
  const genderCell = cellAt(cells, cellIndex, column.gender);
  const gender = genderCell === "" ? -1 : genderCodes.indexOf(genderCell as (typeof genderCodes)[number]);
  if (gender === -1 && genderCell !== "") return false;
  const raceCell = cellAt(cells, cellIndex, column.race_ethnicity);
  const race = raceCell === "" ? -1 : raceEthnicityCodes.indexOf(raceCell as (typeof raceEthnicityCodes)[number]);
  if (race === -1 && raceCell !== "") return false;
  const flags = new Int8Array(flagColumns.length);
  for (let k = 0; k < flagColumns.length; k++) {
    const v = flagOf(cellAt(cells, cellIndex, column[flagColumns[k]]));
    if (v === -2) return false;
    flags[k] = v;
  }
  const daysEnrolled = wholeNumber(cellAt(cells, cellIndex, column.days_enrolled));
  const daysPresent = wholeNumber(cellAt(cells, cellIndex, column.days_present));
  if (daysEnrolled < 0 || daysEnrolled > 366 || daysPresent < 0 || daysPresent > daysEnrolled) return false;
  const counts = [0, 0, 0, -1, -1];
  for (let k = 0; k < countColumns.length; k++) {
    const text = cellAt(cells, cellIndex, column[countColumns[k]]);
    if (text === "") continue; // suspensions and moves default to 0, courses stay blank
    const v = wholeNumber(text);
    if (v < 0) return false;
    counts[k] = v;
  }
  if (counts[4] >= 0 && (counts[3] < 0 || counts[4] > counts[3])) return false;
  const ela = scaledScore(cellAt(cells, cellIndex, column.ela_scaled));
  const math = scaledScore(cellAt(cells, cellIndex, column.math_scaled));
  if ((ela !== -1 && (ela < 440 || ela > 560)) || (math !== -1 && (math < 440 || math > 560))) return false;
  if ((ela === -1 && cellAt(cells, cellIndex, column.ela_scaled) !== "") || (math === -1 && cellAt(cells, cellIndex, column.math_scaled) !== "")) return false;
  const exitCell = cellAt(cells, cellIndex, column.exit_status);
  const exit = exitCell === "" ? 0 : exitStatuses.indexOf(exitCell as (typeof exitStatuses)[number]);
  if (exit < 0) return false;

  const i = builder.next();
  const c = builder.columns;
  c.student[i] = builder.students.code(studentId);
  c.year[i] = year;
  c.district[i] = builder.districts.code(districtId);
  c.school[i] = builder.schools.code(schoolId);
  c.grade[i] = grade;
  c.birthDate[i] = birthDate === "" ? -1 : builder.birthDates.code(birthDate);
  c.gender[i] = gender;
  c.race[i] = race;
  c.flags.set(flags, i * flagColumns.length);
  c.daysEnrolled[i] = daysEnrolled;
  c.daysPresent[i] = daysPresent;
  for (let k = 0; k < countColumns.length; k++) builder.setCount(i, k, counts[k]);
  c.ela[i] = ela;
  c.math[i] = math;
  c.exit[i] = exit;
  c.line[i] = line;
  return true;
}
