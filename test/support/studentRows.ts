import { studentYearSchema, type StudentYear, type StudentYearInput } from "../../src/core/index.ts";

/** A valid student-year row through the real schema; tests name only what they change. */
export function studentYear(fields: Partial<Record<keyof StudentYearInput, string>>): StudentYear {
  return studentYearSchema.parse({
    student_id: "S1",
    school_year: "2020",
    district_id: "D1",
    school_id: "E1",
    grade: "3",
    days_enrolled: "180",
    days_present: "171",
    ...fields,
  });
}

/** One student's rows from grade and year pairs, oldest first, with per-year extras. */
export function career(start: { year: number; grade: number }, years: Partial<Record<keyof StudentYearInput, string>>[]): StudentYear[] {
  return years.map((extra, k) =>
    studentYear({ school_year: String(start.year + k), grade: start.grade + k === 0 ? "K" : String(start.grade + k), ...extra }),
  );
}

/** Every contract column of one valid row, as CSV cells. */
export const sampleCells: Record<keyof StudentYearInput, string> = {
  student_id: "S-001",
  school_year: "2024",
  district_id: "D1",
  school_id: "SCH1",
  grade: "7",
  birth_date: "2011-04-02",
  gender: "F",
  race_ethnicity: "H",
  low_income: "1",
  ell: "0",
  former_ell: "0",
  sped: "0",
  homeless: "0",
  foster_care: "0",
  days_enrolled: "180",
  days_present: "170",
  iss_count: "1",
  oss_count: "0",
  school_moves: "0",
  ela_scaled: "505",
  math_scaled: "498",
  courses_attempted: "6",
  courses_failed: "1",
  exit_status: "enrolled",
  postsecondary_enrolled: "",
  postsecondary_remedial: "",
  postsecondary_persisted: "",
};
