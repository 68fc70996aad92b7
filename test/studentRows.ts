import { studentYearSchema, type StudentYear, type StudentYearInput } from "../src/core/index.ts";

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
