/**
 * The columns of the student-year record (`docs/data-contract.md`), each once: its type, bounds,
 * blank default and whether it is required. The zod schema (`studentYear.ts`), the fast row path
 * (`studentYearCells.ts`), the typed history columns (`historyChunk.ts`), the API's id parameters
 * and the contract's own table are built from it or tested against it, so a bound lives here only.
 */

/** The status flags a row carries: model indicators and reporting subgroups alike. */
export const statusFlags = ["low_income", "ell", "former_ell", "sped", "homeless", "foster_care"] as const;
export type StatusFlag = (typeof statusFlags)[number];

/** The flags on a graduate's row that the college milestones read. */
export const postsecondaryFlags = ["postsecondary_enrolled", "postsecondary_remedial", "postsecondary_persisted"] as const;

export const ID_MAX_LENGTH = 32;
export const SCHOOL_YEAR = { min: 1990, max: 2100 } as const;
export const DAYS_IN_YEAR = 366;
export const SCALED_SCORE = { min: 440, max: 560 } as const;
export const gradeCodes = ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"] as const;
export const genderCodes = ["F", "M", "N"] as const;
export const raceEthnicityCodes = ["A", "B", "H", "M", "N", "P", "W"] as const;
export const exitStatuses = ["enrolled", "graduated", "dropped_out", "transferred_out", "other"] as const;
export type ExitStatus = (typeof exitStatuses)[number];

export type ColumnType = "student_id" | "place_id" | "integer" | "grade" | "date" | "code" | "flag";

export interface ContractColumn {
  name: string;
  type: ColumnType;
  required: boolean;
  /** Inclusive bounds of an integer; `max` undefined where the contract sets none. */
  min?: number;
  max?: number;
  /** Another column this one may not exceed (`days_present ≤ days_enrolled`). */
  atMost?: string;
  codes?: readonly string[];
  /** What a blank cell means: a value it stands for, or "unknown". */
  blank: number | string | "unknown";
  meaning: string;
  /** Words for a status flag, as the reports and pages name the group. */
  label?: string;
}

const flagMeaning: Record<StatusFlag, { meaning: string; label: string }> = {
  low_income: { meaning: "economically disadvantaged", label: "Low income" },
  ell: { meaning: "current English learner", label: "English learner" },
  former_ell: { meaning: "former English learner", label: "Former English learner" },
  sped: { meaning: "student with an IEP", label: "Special education" },
  homeless: { meaning: "homeless this year", label: "Homeless" },
  foster_care: { meaning: "in foster care this year", label: "Foster care" },
};

const count = (name: string, meaning: string, blank: number | "unknown" = 0): ContractColumn => ({ name, type: "integer", required: false, min: 0, blank, meaning });

/** In the contract's order: the order the synthetic generator and the exports write. */
export const contractColumns = [
  { name: "student_id", type: "student_id", required: true, blank: "unknown", meaning: "state-assigned student ID" },
  { name: "school_year", type: "integer", required: true, ...SCHOOL_YEAR, blank: "unknown", meaning: "the spring year: 2025 means 2024–25" },
  { name: "district_id", type: "place_id", required: true, blank: "unknown", meaning: "district of record" },
  { name: "school_id", type: "place_id", required: true, blank: "unknown", meaning: "school of record (where the student was enrolled at the end of the year, or now)" },
  { name: "grade", type: "grade", required: true, codes: gradeCodes, blank: "unknown", meaning: "grade level this year (`K` = kindergarten)" },
  { name: "birth_date", type: "date", required: false, blank: "unknown", meaning: "`YYYY-MM-DD`, for age-for-grade (overage)" },
  { name: "gender", type: "code", required: false, codes: genderCodes, blank: "unknown", meaning: "`N` = non-binary; a reporting subgroup" },
  {
    name: "race_ethnicity", type: "code", required: false, codes: raceEthnicityCodes, blank: "unknown",
    meaning: "`A` Asian, `B` Black, `H` Hispanic/Latino, `M` multi-race, `N` Native American, `P` Pacific Islander, `W` White; a reporting subgroup",
  },
  ...statusFlags.map((name): ContractColumn => ({ name, type: "flag", required: false, blank: "unknown", ...flagMeaning[name] })),
  { name: "days_enrolled", type: "integer", required: true, min: 0, max: DAYS_IN_YEAR, blank: "unknown", meaning: "days in membership this year (so far)" },
  { name: "days_present", type: "integer", required: true, min: 0, max: DAYS_IN_YEAR, atMost: "days_enrolled", blank: "unknown", meaning: "days attended this year (so far)" },
  count("iss_count", "in-school suspensions this year"),
  count("oss_count", "out-of-school suspensions this year"),
  count("school_moves", "changes of school during this year"),
  { name: "ela_scaled", type: "integer", required: false, ...SCALED_SCORE, blank: "unknown", meaning: "state ELA test scaled score (grades 3–8, 10); blank = not tested" },
  { name: "math_scaled", type: "integer", required: false, ...SCALED_SCORE, blank: "unknown", meaning: "state mathematics test scaled score; blank = not tested" },
  count("courses_attempted", "courses with a final mark this year (grades 6–12)", "unknown"),
  { ...count("courses_failed", "of those, failed", "unknown"), atMost: "courses_attempted" },
  { name: "exit_status", type: "code", required: false, codes: exitStatuses, blank: "enrolled", meaning: "status at the end of the year" },
  { name: "postsecondary_enrolled", type: "flag", required: false, blank: "unknown", meaning: "for a graduate: enrolled in college by the next fall" },
  {
    name: "postsecondary_remedial", type: "flag", required: false, blank: "unknown",
    meaning: "for a graduate who enrolled: took at least one remedial (developmental, non-credit) course in the first college year; must not be 1 when `postsecondary_enrolled` is 0",
  },
  {
    name: "postsecondary_persisted", type: "flag", required: false, blank: "unknown",
    meaning: "for a graduate who enrolled: enrolled again in the fall of a second college year; must not be 1 when `postsecondary_enrolled` is 0",
  },
] as const satisfies readonly ContractColumn[];

export type ContractColumnName = (typeof contractColumns)[number]["name"];
export const contractColumnNames = contractColumns.map((c) => c.name) as ContractColumnName[];
export const requiredColumnNames = contractColumns.filter((c) => c.required).map((c) => c.name);

export function contractColumn(name: ContractColumnName): ContractColumn {
  return contractColumns.find((c) => c.name === name) as ContractColumn;
}

/** The contract's column table in Markdown, as `docs/data-contract.md` holds it (a test compares the two). */
export function contractColumnTable(): string {
  const code = (v: string | number): string => `\`${v}\``;
  /** Codes, with a run of consecutive whole numbers written as its ends: `K`, `1`…`12`. */
  const codeList = (codes: readonly string[]): string => {
    const parts: string[] = [];
    for (let i = 0; i < codes.length; ) {
      let j = i;
      while (j + 1 < codes.length && /^\d+$/.test(codes[j]) && Number(codes[j + 1]) === Number(codes[j]) + 1) j++;
      parts.push(j - i >= 2 ? `${code(codes[i])}…${code(codes[j])}` : codes.slice(i, j + 1).map(code).join(", "));
      i = j + 1;
    }
    return parts.join(", ");
  };
  const type = (c: ContractColumn): string => {
    switch (c.type) {
      case "student_id":
        return `text, 1–${ID_MAX_LENGTH} characters of \`A-Z a-z 0-9 _ -\``;
      case "place_id":
        return `text, 1–${ID_MAX_LENGTH} characters`;
      case "grade":
      case "code":
        return `one of ${codeList(c.codes ?? [])}`;
      case "date":
        return "calendar date";
      case "flag":
        return "`0` or `1`";
      case "integer": {
        const upTo = c.atMost ? `${code(c.atMost)}` : c.max;
        return upTo === undefined ? `whole number ≥ ${c.min}` : `whole number ${c.min}–${upTo}`;
      }
    }
  };
  const blank = (c: ContractColumn): string => (c.required ? "not allowed: row rejected" : c.blank === "unknown" ? "unknown" : code(c.blank));
  const lines = [
    "| column | type | required | a blank cell means | meaning |",
    "| --- | --- | --- | --- | --- |",
    ...contractColumns.map((c: ContractColumn) => `| ${code(c.name)} | ${type(c)} | ${c.required ? "yes" : "no"} | ${blank(c)} | ${c.meaning} |`),
  ];
  return lines.join("\n");
}
