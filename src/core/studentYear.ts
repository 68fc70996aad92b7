import { z } from "zod";
import {
  contractColumn,
  contractColumnNames,
  exitStatuses,
  genderCodes,
  gradeCodes,
  ID_MAX_LENGTH,
  postsecondaryFlags,
  raceEthnicityCodes,
  requiredColumnNames,
  statusFlags,
  type ContractColumnName,
} from "./contractColumns.ts";

export { exitStatuses, raceEthnicityCodes, type ExitStatus } from "./contractColumns.ts";

/**
 * The student-year record, exactly as `docs/data-contract.md` defines it, its bounds from `contractColumns.ts`. Field names are
 * the CSV column names so that a reject, a model feature and the contract all say the same word.
 * Blank cells must be turned into `undefined` before this schema sees them: `z.coerce` would
 * read a blank attendance as 0 days.
 */

const idPattern = new RegExp(`^[A-Za-z0-9_-]{1,${ID_MAX_LENGTH}}$`);
const wholeNumber = /^-?\d+$/;

function integer(name: ContractColumnName) {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = contractColumn(name);
  const unbounded = max === Number.MAX_SAFE_INTEGER;
  const bound = unbounded ? `at least ${min}` : `between ${min} and ${max}`;
  // A count has no upper bound in the contract, but past 2^53 the number read is not the one
  // written: say so, rather than "must be at least 0" for a 20-digit count.
  const tooLarge = unbounded ? `must be at most ${max} (larger whole numbers are not exact)` : `must be ${bound}`;
  return z
    .string()
    .regex(wholeNumber, `must be a whole number ${bound}`)
    // `-0` is 0: kept as -0, a count column wide enough for a float would keep the sign, and
    // one thread and parallel ranges would read the same file differently.
    .transform((text) => Number(text) + 0)
    .pipe(z.number().min(min, `must be ${bound}`).max(max, tooLarge));
}

const flag = z.enum(["0", "1"], { error: "must be 0 or 1" }).transform((v) => (v === "1" ? 1 : 0));
const optionalFlag = flag.optional();
const flagFields = <const T extends readonly string[]>(names: T) =>
  Object.fromEntries(names.map((name) => [name, optionalFlag])) as Record<T[number], typeof optionalFlag>;

const gradeCode = z
  .enum(gradeCodes, { error: "must be K or 1 to 12" })
  .transform((g) => (g === "K" ? 0 : Number(g)));

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, "must be a real calendar date");

const placeId = z.string().min(1).max(ID_MAX_LENGTH, `must be at most ${ID_MAX_LENGTH} characters`);

export const studentYearSchema = z
  .object({
    student_id: z.string().regex(idPattern, `must be 1-${ID_MAX_LENGTH} characters of A-Z a-z 0-9 _ -`),
    school_year: integer("school_year"),
    district_id: placeId,
    school_id: placeId,
    grade: gradeCode,
    birth_date: isoDate.optional(),
    gender: z.enum(genderCodes, { error: `must be ${genderCodes.slice(0, -1).join(", ")} or ${genderCodes.at(-1)}` }).optional(),
    race_ethnicity: z.enum(raceEthnicityCodes, { error: `must be one of ${raceEthnicityCodes.join(" ")}` }).optional(),
    ...flagFields(statusFlags),
    days_enrolled: integer("days_enrolled"),
    days_present: integer("days_present"),
    iss_count: integer("iss_count").optional().default(0),
    oss_count: integer("oss_count").optional().default(0),
    school_moves: integer("school_moves").optional().default(0),
    ela_scaled: integer("ela_scaled").optional(),
    math_scaled: integer("math_scaled").optional(),
    courses_attempted: integer("courses_attempted").optional(),
    courses_failed: integer("courses_failed").optional(),
    exit_status: z.enum(exitStatuses, { error: `must be one of ${exitStatuses.join(", ")}` }).optional().default("enrolled"),
    ...flagFields(postsecondaryFlags),
  })
  .superRefine((row, ctx) => {
    // Zod runs this even when a field failed; comparing against a rejected value only repeats that error.
    const valid = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
    const days = contractColumn("days_enrolled").max ?? 0;
    if (valid(row.days_enrolled, days) && valid(row.days_present, days) && row.days_present > row.days_enrolled) {
      ctx.addIssue({ code: "custom", path: ["days_present"], message: `must not exceed days_enrolled (${row.days_enrolled})` });
    }
    if (row.courses_failed !== undefined) {
      if (row.courses_attempted === undefined) {
        ctx.addIssue({ code: "custom", path: ["courses_failed"], message: "is given but courses_attempted is blank" });
      } else if (valid(row.courses_attempted, Number.MAX_SAFE_INTEGER) && valid(row.courses_failed, Number.MAX_SAFE_INTEGER) && row.courses_failed > row.courses_attempted) {
        ctx.addIssue({ code: "custom", path: ["courses_failed"], message: `must not exceed courses_attempted (${row.courses_attempted})` });
      }
    }
    // College outcomes of a graduate who never enrolled: a 1 there contradicts the enrolment.
    for (const name of ["postsecondary_remedial", "postsecondary_persisted"] as const) {
      if (row[name] === 1 && row.postsecondary_enrolled === 0) {
        ctx.addIssue({ code: "custom", path: [name], message: "is 1 but postsecondary_enrolled is 0" });
      }
    }
  });

export type StudentYear = z.output<typeof studentYearSchema>;
export type StudentYearInput = z.input<typeof studentYearSchema>;

/** The contract's columns, in its order: the synthetic generator and exports write this order. */
export const studentYearColumns = contractColumnNames as (keyof StudentYearInput)[];

export const requiredColumns = requiredColumnNames as readonly (keyof StudentYearInput)[];

/** K is stored as 0 so grades compare and subtract as numbers. */
export function gradeLabel(grade: number): string {
  return grade === 0 ? "K" : String(grade);
}
