import { DAYS_IN_YEAR, exitStatuses, genderCodes, ID_MAX_LENGTH, raceEthnicityCodes, SCALED_SCORE, SCHOOL_YEAR } from "./contractColumns.ts";
import { countColumns, flagColumns } from "./historyChunk.ts";
import { emptyRowCodes, type HistoryChunkBuilder } from "./historyChunkBuilder.ts";
import { studentYearColumns, studentYearSchema } from "./studentYear.ts";

/**
 * The schema's verdict on a row, without zod, for the rows that are plainly valid: at four
 * million rows a term, `studentYearSchema.safeParse` costs more than reading the CSV. It says
 * "valid" only when the schema would accept the row with exactly these values
 * (`test/unit/core/studentYearCells.test.ts` holds it to that on mutated rows); anything it is not sure
 * of (a sign, a leading space, a 16-digit number, any error) goes to the schema, which stays the
 * one source of reject messages.
 */

const column = Object.fromEntries(studentYearColumns.map((c, i) => [c, i])) as Record<(typeof studentYearColumns)[number], number>;
const MAX_DIGITS = 15; // below 2^53: every such number is exact
/** A blank count, in `countColumns` order: suspensions and moves default to 0, course counts stay blank. */
const blankCount = [0, 0, 0, -1, -1];
const ENROLLED = flagColumns.indexOf("postsecondary_enrolled");
const REMEDIAL = flagColumns.indexOf("postsecondary_remedial");
const PERSISTED = flagColumns.indexOf("postsecondary_persisted");
/** One row's values, refilled for every row: nothing is allocated for a valid row. */
const scratch = emptyRowCodes();

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

export function isStudentId(cell: string): boolean {
  if (cell.length === 0 || cell.length > ID_MAX_LENGTH) return false;
  for (let i = 0; i < cell.length; i++) if (!isIdCode(cell.charCodeAt(i))) return false;
  return true;
}

const invisibleFirst = /^[\p{White_Space}\p{Cc}\p{Cf}]/u;
const invisibleLast = /[\p{White_Space}\p{Cc}\p{Cf}]$/u;

/**
 * Whether a cell starts or ends with a character that shows as nothing: a control character,
 * any Unicode space (no-break, ideographic, line separator) or a format character (zero-width
 * space, BOM). Such a cell is rejected rather than trimmed: `"D1\u3000"` and `"D1"` would
 * silently become two districts. ASCII is decided without a regex: four million rows a term.
 */
export function hasEdgeSpace(cell: string): boolean {
  const n = cell.length;
  if (n === 0) return false;
  const first = cell.charCodeAt(0);
  const last = cell.charCodeAt(n - 1);
  if (first <= 32 || last <= 32) return true;
  // Two code units: a character outside the BMP is a surrogate pair.
  return (first >= 127 && invisibleFirst.test(cell.slice(0, 2))) || (last >= 127 && invisibleLast.test(cell.slice(-2)));
}

/** A district or school id the schema takes as is: 1–`ID_MAX_LENGTH` characters, no surrounding whitespace. */
function isPlaceId(cell: string): boolean {
  const n = cell.length;
  return n > 0 && n <= ID_MAX_LENGTH && !hasEdgeSpace(cell);
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
  const v = scratch;
  v.studentId = cellAt(cells, cellIndex, column.student_id);
  v.districtId = cellAt(cells, cellIndex, column.district_id);
  v.schoolId = cellAt(cells, cellIndex, column.school_id);
  if (!isStudentId(v.studentId) || !isPlaceId(v.districtId) || !isPlaceId(v.schoolId)) return false;
  v.year = wholeNumber(cellAt(cells, cellIndex, column.school_year));
  if (v.year < SCHOOL_YEAR.min || v.year > SCHOOL_YEAR.max) return false;
  v.grade = gradeOf(cellAt(cells, cellIndex, column.grade));
  if (v.grade < 0) return false;
  const birthDate = cellAt(cells, cellIndex, column.birth_date);
  if (birthDate !== "" && !isBirthDate(birthDate)) return false;
  v.birthDate = birthDate === "" ? undefined : birthDate;
  const genderCell = cellAt(cells, cellIndex, column.gender);
  v.gender = genderCell === "" ? -1 : genderCodes.indexOf(genderCell as (typeof genderCodes)[number]);
  if (v.gender === -1 && genderCell !== "") return false;
  const raceCell = cellAt(cells, cellIndex, column.race_ethnicity);
  v.race = raceCell === "" ? -1 : raceEthnicityCodes.indexOf(raceCell as (typeof raceEthnicityCodes)[number]);
  if (v.race === -1 && raceCell !== "") return false;
  for (let k = 0; k < flagColumns.length; k++) {
    const flag = flagOf(cellAt(cells, cellIndex, column[flagColumns[k]]));
    if (flag === -2) return false;
    v.flags[k] = flag;
  }
  // A college outcome of 1 for a graduate who never enrolled: the schema names the contradiction.
  if (v.flags[ENROLLED] === 0 && (v.flags[REMEDIAL] === 1 || v.flags[PERSISTED] === 1)) return false;
  v.daysEnrolled = wholeNumber(cellAt(cells, cellIndex, column.days_enrolled));
  v.daysPresent = wholeNumber(cellAt(cells, cellIndex, column.days_present));
  if (v.daysEnrolled < 0 || v.daysEnrolled > DAYS_IN_YEAR || v.daysPresent < 0 || v.daysPresent > v.daysEnrolled) return false;
  for (let k = 0; k < countColumns.length; k++) {
    const text = cellAt(cells, cellIndex, column[countColumns[k]]);
    v.counts[k] = text === "" ? blankCount[k] : wholeNumber(text);
    if (text !== "" && v.counts[k] < 0) return false;
  }
  if (v.counts[4] >= 0 && (v.counts[3] < 0 || v.counts[4] > v.counts[3])) return false;
  const elaCell = cellAt(cells, cellIndex, column.ela_scaled);
  const mathCell = cellAt(cells, cellIndex, column.math_scaled);
  v.ela = scaledScore(elaCell);
  v.math = scaledScore(mathCell);
  if ((v.ela !== -1 && (v.ela < SCALED_SCORE.min || v.ela > SCALED_SCORE.max)) || (v.math !== -1 && (v.math < SCALED_SCORE.min || v.math > SCALED_SCORE.max))) return false;
  if ((v.ela === -1 && elaCell !== "") || (v.math === -1 && mathCell !== "")) return false;
  const exitCell = cellAt(cells, cellIndex, column.exit_status);
  v.exit = exitCell === "" ? 0 : exitStatuses.indexOf(exitCell as (typeof exitStatuses)[number]);
  if (v.exit < 0) return false;
  builder.append(v, line);
  return true;
}
