import { z } from "zod";

/**
 * The student-year record, exactly as `shared/spec/student-year.md` defines it. Field names are
 * the CSV column names so that a reject, a model feature and the spec all say the same word.
 * Blank cells must be turned into `undefined` before this schema sees them: `z.coerce` would
 * read a blank attendance as 0 days.
 */

const idPattern = /^[A-Za-z0-9_-]{1,32}$/;
const wholeNumber = /^-?\d+$/;

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
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

const gradeCode = z
  .enum(["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"], {
    error: "must be K or 1 to 12",
  })
  .transform((g) => (g === "K" ? 0 : Number(g)));

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, "must be a real calendar date");

export const exitStatuses = ["enrolled", "graduated", "dropped_out", "transferred_out", "other"] as const;
export type ExitStatus = (typeof exitStatuses)[number];

export const raceEthnicityCodes = ["A", "B", "H", "M", "N", "P", "W"] as const;

export const studentYearSchema = z
  .object({
    student_id: z.string().regex(idPattern, "must be 1-32 characters of A-Z a-z 0-9 _ -"),
    school_year: integer(1990, 2100),
    district_id: z.string().min(1).max(32, "must be at most 32 characters"),
    school_id: z.string().min(1).max(32, "must be at most 32 characters"),
    grade: gradeCode,
    birth_date: isoDate.optional(),
    gender: z.enum(["F", "M", "N"], { error: "must be F, M or N" }).optional(),
    race_ethnicity: z.enum(raceEthnicityCodes, { error: "must be one of A B H M N P W" }).optional(),
    low_income: flag.optional(),
    ell: flag.optional(),
    former_ell: flag.optional(),
    sped: flag.optional(),
    homeless: flag.optional(),
    foster_care: flag.optional(),
    days_enrolled: integer(0, 366),
    days_present: integer(0, 366),
    iss_count: integer(0).optional().default(0),
    oss_count: integer(0).optional().default(0),
    school_moves: integer(0).optional().default(0),
    ela_scaled: integer(440, 560).optional(),
    math_scaled: integer(440, 560).optional(),
    courses_attempted: integer(0).optional(),
    courses_failed: integer(0).optional(),
    exit_status: z.enum(exitStatuses, { error: `must be one of ${exitStatuses.join(", ")}` }).optional().default("enrolled"),
    postsecondary_enrolled: flag.optional(),
  })
  .superRefine((row, ctx) => {
    // Zod runs this even when a field failed; comparing against a rejected value only repeats that error.
    const valid = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
    if (valid(row.days_enrolled, 366) && valid(row.days_present, 366) && row.days_present > row.days_enrolled) {
      ctx.addIssue({ code: "custom", path: ["days_present"], message: `must not exceed days_enrolled (${row.days_enrolled})` });
    }
    if (row.courses_failed !== undefined) {
      if (row.courses_attempted === undefined) {
        ctx.addIssue({ code: "custom", path: ["courses_failed"], message: "is given but courses_attempted is blank" });
      } else if (valid(row.courses_attempted, Number.MAX_SAFE_INTEGER) && valid(row.courses_failed, Number.MAX_SAFE_INTEGER) && row.courses_failed > row.courses_attempted) {
        ctx.addIssue({ code: "custom", path: ["courses_failed"], message: `must not exceed courses_attempted (${row.courses_attempted})` });
      }
    }
  });

export type StudentYear = z.output<typeof studentYearSchema>;
export type StudentYearInput = z.input<typeof studentYearSchema>;

/** The contract's columns, in its order: the synthetic generator and exports write this order. */
export const studentYearColumns = Object.keys(studentYearSchema.shape) as (keyof StudentYearInput)[];

export const requiredColumns = ["student_id", "school_year", "district_id", "school_id", "grade", "days_enrolled", "days_present"] as const;

/** K is stored as 0 so grades compare and subtract as numbers. */
export function gradeLabel(grade: number): string {
  return grade === 0 ? "K" : String(grade);
}
