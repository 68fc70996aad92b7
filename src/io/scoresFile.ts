import { formatDrivers, gradeLabel, type StudentScore } from "../core/index.ts";
import { writeLinesAtomic } from "./atomicWrite.ts";

export const scoreColumns = ["student_id", "school_year", "district_id", "school_id", "grade", "milestone", "risk", "tier", "drivers"] as const;

/** District and school ids are free text up to 32 characters, so they may need CSV quoting. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function scoreLine(s: StudentScore): string {
  return [
    s.student_id,
    s.school_year,
    csvField(s.district_id),
    csvField(s.school_id),
    gradeLabel(s.grade),
    s.milestone,
    s.risk.toFixed(6),
    s.tier,
    formatDrivers(s.drivers),
  ].join(",");
}

function* scoreLines(scores: readonly StudentScore[]): Generator<string> {
  yield scoreColumns.join(",");
  for (const s of scores) yield scoreLine(s);
}

/** Written to a temporary file and renamed: a crash leaves the previous file or none, never half a term. */
export async function writeScores(file: string, scores: readonly StudentScore[]): Promise<void> {
  await writeLinesAtomic(file, scoreLines(scores));
}
