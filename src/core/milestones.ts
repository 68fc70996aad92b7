import { EwisError } from "./errors.ts";
import type { StudentYear } from "./studentYear.ts";

/**
 * The milestones of `docs/data-contract.md`, each with the grades scored for it. A first-time
 * milestone falls due once (the first grade 3, 6 or 9 year; the fourth high-school year); once it
 * is behind a student, what is still open for them is its follow-on: the repeated grade's own
 * outcome, graduation in a fifth year, then graduation by the end of each later year. A
 * follow-on names its `base`: the model it is recalibrated from when a state has too few
 * students on that path to fit one of its own (`training/fallbackModel.ts`).
 */
export const milestones = {
  early_literacy: {
    grades: [1, 2, 3],
    label: "Reading by grade 3",
    description: "ELA proficient (≥ 500) in the first grade 3 year",
  },
  early_literacy_repeat: {
    grades: [1, 2, 3],
    label: "Reading in a repeated grade 3",
    description: "ELA proficient (≥ 500) in this repeated grade 3 year",
    perRow: true,
    base: "early_literacy",
  },
  middle_readiness: {
    grades: [4, 5, 6],
    label: "ELA and math by grade 6",
    description: "ELA and math proficient (≥ 500) in the first grade 6 year",
  },
  middle_readiness_repeat: {
    grades: [4, 5, 6],
    label: "ELA and math in a repeated grade 6",
    description: "ELA and math proficient (≥ 500) in this repeated grade 6 year",
    perRow: true,
    base: "middle_readiness",
  },
  ninth_grade_success: {
    grades: [7, 8, 9],
    label: "Passing every grade 9 course",
    description: "no course failed in the first grade 9 year",
  },
  ninth_grade_success_repeat: {
    grades: [7, 8, 9],
    label: "Passing every course in a repeated grade 9",
    description: "no course failed in this repeated grade 9 year",
    perRow: true,
    base: "ninth_grade_success",
  },
  on_time_graduation: {
    grades: [10, 11, 12],
    label: "Graduating on time",
    description: "graduated within 3 school years after the first grade 9 year",
  },
  five_year_graduation: {
    grades: [10, 11, 12],
    label: "Graduating in a fifth year",
    description: "graduated within 4 school years after the first grade 9 year, for a student still enrolled in that fifth year",
    base: "on_time_graduation",
  },
  late_graduation: {
    grades: [10, 11, 12],
    label: "Graduating this year (sixth year or later)",
    description: "graduated by the end of this school year, for a student in a sixth or later high-school year",
    perRow: true,
    base: "five_year_graduation",
  },
  postsecondary_enrollment: {
    grades: [11, 12],
    label: "Enrolling in college",
    description: "graduated and enrolled in college by the next fall",
  },
  postsecondary_readiness: {
    grades: [11, 12],
    label: "College without remedial courses",
    description: "graduated, enrolled in college by the next fall and took no remedial (non-credit) course in the first year",
    base: "postsecondary_enrollment",
    needs: "postsecondary_remedial",
  },
  postsecondary_persistence: {
    grades: [11, 12],
    label: "Persisting into a second year of college",
    description: "graduated, enrolled in college by the next fall and enrolled again in the fall after",
    base: "postsecondary_enrollment",
    needs: "postsecondary_persisted",
  },
} as const satisfies Record<string, MilestoneSpec>;

interface MilestoneSpec {
  grades: readonly number[];
  label: string;
  description: string;
  base?: string;
  /** One outcome per row (each repeated year, each later high-school year), not one per student. */
  perRow?: boolean;
  /** The optional contract column the outcome is read from: a history without it cannot train this model. */
  needs?: string;
}

export type Milestone = keyof typeof milestones;
export const milestoneNames = Object.keys(milestones) as Milestone[];

export const PROFICIENT = 500;

export function parseMilestone(name: string): Milestone {
  if (name in milestones) return name as Milestone;
  throw new EwisError("unknown_milestone", `unknown milestone "${name}"; expected one of ${milestoneNames.join(", ")}`, {
    milestone: name,
  });
}

/** The model a follow-on milestone falls back on, if it has one. */
export function baseMilestone(milestone: Milestone): Milestone | undefined {
  const spec: MilestoneSpec = milestones[milestone];
  return spec.base as Milestone | undefined;
}

/**
 * The milestone a follow-on one takes the place of once it is behind the student: a repeated
 * grade's first-time milestone, the missed graduation deadline. Its model stands in when the
 * follow-on has none, and its outcome is what the score says was already decided. A college
 * milestone that reads its own column follows on from none: enrolment is never behind a student.
 */
export function supersededMilestone(milestone: Milestone): Milestone | undefined {
  return milestoneColumn(milestone) === undefined ? baseMilestone(milestone) : undefined;
}

/** Whether the milestone has an outcome for each row it is open at, rather than one for the student. */
export function outcomePerRow(milestone: Milestone): boolean {
  const spec: MilestoneSpec = milestones[milestone];
  return spec.perRow === true;
}

/** The contract column a milestone's outcome needs beyond the required ones, if any. */
export function milestoneColumn(milestone: Milestone): string | undefined {
  const spec: MilestoneSpec = milestones[milestone];
  return spec.needs;
}

/** Milestones whose band holds this grade, open or not: a grade 11 student is in four bands. */
export function milestonesForGrade(grade: number): Milestone[] {
  return milestoneNames.filter((m) => (milestones[m].grades as readonly number[]).includes(grade));
}

/**
 * The first grade 9 year; a student who entered in grade 10 or later takes the year they would
 * have entered grade 9 (contract), and one whose grade 9 row is missing between other rows likewise.
 */
export function grade9Year(rows: readonly StudentYear[], end = rows.length): number | undefined {
  let later: StudentYear | undefined;
  for (let k = 0; k < end; k++) {
    const r = rows[k];
    if (r.grade === 9) return r.school_year;
    if (r.grade > 9 && later === undefined) later = r;
  }
  return later ? later.school_year - (later.grade - 9) : undefined;
}

/** The grade whose first year settles each first-time milestone with a repeat, and that repeat. */
export const repeatOf = {
  early_literacy: { grade: 3, repeat: "early_literacy_repeat" },
  middle_readiness: { grade: 6, repeat: "middle_readiness_repeat" },
  ninth_grade_success: { grade: 9, repeat: "ninth_grade_success_repeat" },
} as const satisfies Partial<Record<Milestone, { grade: number; repeat: Milestone }>>;

/** Whether any row before `index` is in `grade`: the row at `index` is then a repeat (or later) year of it. */
function seenGradeBefore(rows: readonly StudentYear[], index: number, grade: number): boolean {
  for (let k = 0; k < index; k++) if (rows[k].grade === grade) return true;
  return false;
}

/** Which high-school year the row at `index` is (from it and earlier rows): 1 in the first grade 9 year, 5 in a fifth year; 0 before any. */
function highSchoolYear(rows: readonly StudentYear[], index: number): number {
  const g9 = grade9Year(rows, index + 1);
  return g9 === undefined ? 0 : rows[index].school_year - g9 + 1;
}

/**
 * The milestones still open for the student in the row at `index`, from that row and earlier
 * ones only: what a model predicts for them now. Every row in grades 1–12 has at least one:
 * where a band's milestone is behind the student, its follow-on takes its place (a repeat is
 * open in any grade of the band once its due grade is behind the student, so a student moved
 * back below it is still scored). Kindergarten is in no band and has none.
 */
export function openMilestones(rows: readonly StudentYear[], index: number): Milestone[] {
  const row = rows[index];
  // Grades 1–9 never ask for it; it is one pass over the earlier rows, not one per milestone.
  const year = row.grade >= 10 ? highSchoolYear(rows, index) : 0;
  const open: Milestone[] = [];
  for (const milestone of milestonesForGrade(row.grade)) if (isOpen(milestone, rows, index, year)) open.push(milestone);
  return open;
}

function isOpen(milestone: Milestone, rows: readonly StudentYear[], index: number, highSchoolYear: number): boolean {
  switch (milestone) {
    case "early_literacy":
    case "middle_readiness":
    case "ninth_grade_success":
      return !seenGradeBefore(rows, index, repeatOf[milestone].grade);
    case "early_literacy_repeat":
      return seenGradeBefore(rows, index, 3);
    case "middle_readiness_repeat":
      return seenGradeBefore(rows, index, 6);
    case "ninth_grade_success_repeat":
      return seenGradeBefore(rows, index, 9);
    case "on_time_graduation":
      return highSchoolYear <= 4;
    case "five_year_graduation":
      return highSchoolYear === 5;
    case "late_graduation":
      return highSchoolYear >= 6;
    case "postsecondary_enrollment":
    case "postsecondary_readiness":
    case "postsecondary_persistence":
      return true;
  }
}
