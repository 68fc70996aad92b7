import { z } from "zod";
import { caseworkFilters } from "../app/planSummary.ts";
import { milestoneNames, NAME_MAX_LENGTH, nameSearchText, riskTiers, studentYearSchema, subgroupDimensions } from "../core/index.ts";

/**
 * Query and path parameters, one zod schema each, strict: an unknown parameter is a 400, not
 * silently ignored (a misspelt filter would otherwise return everyone). Query values arrive as
 * strings; numbers are parsed by pattern, never coerced (`z.coerce` reads "" as 0).
 */
const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

// The contract's own id rules: an id the reader accepts is one the API finds.
const id = studentYearSchema.shape.student_id;
const placeId = studentYearSchema.shape.district_id;
const termParam = wholeNumber("term", 1, 999999).optional();
const milestone = z.enum(milestoneNames, { error: `must be one of ${milestoneNames.join(", ")}` });
const grade = z.string().regex(/^(1[0-2]|[1-9])$/, "grade must be 1 to 12").transform(Number);

export const studentListQuery = z.strictObject({
  term: termParam,
  school: placeId.optional(),
  district: placeId.optional(),
  grade: grade.optional(),
  milestone: milestone.optional(),
  tier: z.enum(riskTiers, { error: "must be low, moderate or high" }).optional(),
  change: z.enum(["new", "up", "down", "same"], { error: "must be new, up, down or same" }).optional(),
  sort: z.enum(["risk_desc", "risk_asc"], { error: "must be risk_desc or risk_asc" }).optional(),
  cursor: z.string().max(200).optional(),
  limit: wholeNumber("limit", 1, 500).optional(),
  format: z.enum(["json", "csv"], { error: "must be json or csv" }).optional(),
  casework: z.enum(caseworkFilters, { error: `must be ${caseworkFilters.join(" or ")}` }).optional(),
});

/**
 * A search of the risk list by name, in a POST body rather than the address: addresses reach
 * proxies' logs and browsers' histories, and a search carries a child's name. The list's other
 * filters, as JSON values.
 */
export const studentSearchBody = z.strictObject({
  // Never echoed in an error: it is a child's name.
  name: z.string({ error: "name is required" }).max(NAME_MAX_LENGTH, `name must be at most ${NAME_MAX_LENGTH} characters`).transform(nameSearchText).pipe(z.string().min(1, "name must not be blank")),
  term: z.int().min(1).optional(),
  school: placeId.optional(),
  district: placeId.optional(),
  grade: z.int().min(1, "grade must be 1 to 12").max(12, "grade must be 1 to 12").optional(),
  milestone: milestone.optional(),
  tier: studentListQuery.shape.tier,
  change: studentListQuery.shape.change,
  sort: studentListQuery.shape.sort,
  cursor: studentListQuery.shape.cursor,
  limit: z.int().min(1, "limit must be at least 1").max(500, "limit must be at most 500").optional(),
  format: studentListQuery.shape.format,
  casework: studentListQuery.shape.casework,
});

export const studentParams = z.strictObject({ id });
export const placeParams = z.strictObject({ id: placeId });
export const termOnlyQuery = z.strictObject({ term: termParam });
export const schoolListQuery = z.strictObject({ term: termParam, district: placeId.optional() });
export const rollupQuery = z.strictObject({
  term: termParam,
  milestone: milestone.optional(),
  grade: z.union([z.literal("all"), z.string().regex(/^(1[0-2]|[1-9])$/, "grade must be 1 to 12 or all")]).optional(),
  dimension: z.enum(["all", ...subgroupDimensions], { error: `must be all or one of ${subgroupDimensions.join(", ")}` }).optional(),
});
export const noQuery = z.strictObject({});

/** `state`, `district:<id>` or `school:<id>`: the place a coverage table is of. */
export const coverageQuery = z.strictObject({
  place: z
    .string({ error: "place is required: state, district:<id> or school:<id>" })
    .regex(/^(state|district:[A-Za-z0-9_-]{1,32}|school:[A-Za-z0-9_-]{1,32})$/, "place must be state, district:<id> or school:<id>"),
  milestone: rollupQuery.shape.milestone,
  grade: rollupQuery.shape.grade,
  dimension: rollupQuery.shape.dimension,
});

/** A place, and the term whose movement from the one before is asked (the latest if none). */
export const movementQuery = z.strictObject({
  place: coverageQuery.shape.place,
  term: termParam,
  milestone: rollupQuery.shape.milestone,
});
