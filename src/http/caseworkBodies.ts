import { z } from "zod";
import { noteKinds, planOutcomes } from "../core/index.ts";

/**
 * The bodies of casework writes, strict as every query is: an unknown field is a 400 naming
 * it. Dates are `YYYY-MM-DD` (checked as real dates by the use case); free text is bounded.
 */
const day = (name: string) => z.string({ error: `${name} is required` }).regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be a date, YYYY-MM-DD`);
const text = (name: string, max: number) => z.string({ error: `${name} is required` }).trim().min(1, `${name} must not be blank`).max(max, `${name} must be at most ${max} characters`);
const version = z.int({ error: "version is required: the plan's version you read, so a change made meanwhile is not lost" }).min(1);
const checkInDays = z.int({ error: "check_in_days must be a whole number of days" }).min(1, "check_in_days must be 1 to 90").max(90, "check_in_days must be 1 to 90");

export const planIdParams = z.strictObject({ id: z.string().regex(/^\d{1,9}$/, "id must be a plan's number").transform(Number) });

export const newPlanBody = z.strictObject({
  type: z.string({ error: "type is required" }).regex(/^[a-z0-9_]{1,40}$/, "type must be an intervention id from GET /interventions"),
  owner: text("owner", 100),
  goal: text("goal", 500),
  starts_on: day("starts_on"),
  planned_end: day("planned_end"),
  check_in_days: checkInDays,
});

export const checkInBody = z.strictObject({ version, on: day("on"), note: text("note", 2000) });

export const revisionBody = z.strictObject({
  version,
  owner: text("owner", 100).optional(),
  goal: text("goal", 500).optional(),
  planned_end: day("planned_end").optional(),
  check_in_days: checkInDays.optional(),
});

export const endPlanBody = z.strictObject({
  version,
  on: day("on"),
  outcome: z.enum(planOutcomes, { error: `outcome must be one of ${planOutcomes.join(", ")}` }),
  note: z.string().trim().max(2000, "note must be at most 2000 characters").default(""),
});

export const noteBody = z.strictObject({
  kind: z.enum(noteKinds, { error: "kind must be general or restricted" }),
  text: text("text", 5000),
});
