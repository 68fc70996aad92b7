import { formatDrivers, gradeLabel, priorMilestoneText, type StudentName, type StudentScore } from "../core/index.ts";
import { writeLinesAtomic } from "./atomicWrite.ts";
import { csvField } from "./csvCell.ts";

export const scoreColumns = ["student_id", "school_year", "district_id", "school_id", "grade", "milestone", "risk", "tier", "drivers", "already_decided", "scored_with"] as const;

/**
 * Every risk-list CSV (`ewis export`, the API's `format=csv`): highest risk first. The roster's
 * names come last, blank for a student it does not name, so a reader of the older columns by
 * position reads them as before.
 */
export const riskListColumns = [
  "student_id", "school_year", "term", "district_id", "school_id", "grade", "milestone", "risk", "tier", "previous_tier", "change", "drivers",
  "already_decided", "scored_with", "first_name", "last_name", "local_id",
] as const;

type Listed = Omit<StudentScore, "drivers" | "indicators" | "subgroups"> & { drivers: string; previous_tier: string | null; change: string };

/** What was already decided before a follow-on milestone, in words; blank for a first-time one. */
const alreadyDecided = (s: Pick<StudentScore, "milestone" | "prior">): string => (s.prior ? csvField(priorMilestoneText(s.milestone, s.prior)) : "");

export function riskListLine(termLabel: string, s: Listed, name: StudentName | undefined): string {
  return [
    csvField(s.student_id), s.school_year, csvField(termLabel), csvField(s.district_id), csvField(s.school_id), gradeLabel(s.grade), s.milestone,
    s.risk.toFixed(6), s.tier, s.previous_tier ?? "", s.change, csvField(s.drivers), alreadyDecided(s), s.scoredWith ?? "",
    csvField(name?.first_name ?? ""), csvField(name?.last_name ?? ""), csvField(name?.local_id ?? ""),
  ].join(",");
}

function scoreLine(s: StudentScore): string {
  return [
    csvField(s.student_id),
    s.school_year,
    csvField(s.district_id),
    csvField(s.school_id),
    gradeLabel(s.grade),
    s.milestone,
    s.risk.toFixed(6),
    s.tier,
    formatDrivers(s.drivers),
    alreadyDecided(s),
    s.scoredWith ?? "",
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
