/**
 * The columnar layout of accepted student-year rows, and the dictionaries that code their ids.
 * A state's history is about four million rows; as one object each it would take ≈ 3 GB, as
 * typed columns ≈ 260 MB. This is the shape the reader fills, workers hand back, chunks are
 * joined into and `HistoryTable` groups: the one definition all of them share.
 */
import { postsecondaryFlags, statusFlags } from "./contractColumns.ts";

export const flagColumns = [...statusFlags, ...postsecondaryFlags] as const;
/** Whole numbers with no upper bound in the contract: Int32 until a value needs more. */
export const countColumns = ["iss_count", "oss_count", "school_moves", "courses_attempted", "courses_failed"] as const;

/** Values per row in `HistoryChunk.flags` and `HistoryChunk.counts`. */
export const FLAGS = flagColumns.length;
export const COUNTS = countColumns.length;

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

/** Ids as codes in first-appearance order: a row stores a number, the chunk the text once. */
export class Dictionary {
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
