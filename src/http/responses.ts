import { z } from "zod";
import { countFields, milestoneNames, movementFields, noteKinds, planOutcomes, riskTiers, roles, subgroupDimensions } from "../core/index.ts";

/**
 * The API's answers, one zod schema each: they type the route handlers (`routes.ts`) and,
 * through `z.toJSONSchema`, are the response schemas of the OpenAPI document, so a client
 * generated from it reads exactly what is sent. Each is named in `apiSchemas`, and the
 * document's `components.schemas` is that registry.
 */
export const apiSchemas = z.registry<{ id: string }>();
const named = <T extends z.ZodType>(id: string, schema: T): T => {
  apiSchemas.add(schema, { id });
  return schema;
};

const milestone = z.enum(milestoneNames as [string, ...string[]]);
const tier = z.enum(riskTiers);
const change = z.enum(["new", "up", "down", "same"]);

const termSummary = named("TermSummary", z.object({ id: z.int(), school_year: z.int(), label: z.string(), finished_at: z.string() }));

const subgroups = z.object(Object.fromEntries(subgroupDimensions.map((d) => [d, z.string()])) as Record<(typeof subgroupDimensions)[number], z.ZodString>);

const score = named(
  "Score",
  z.object({
    student_id: z.string(),
    school_year: z.int(),
    district_id: z.string(),
    school_id: z.string(),
    grade: z.int(),
    milestone,
    risk: z.number().min(0).max(1),
    tier,
    previous_tier: tier.nullable(),
    change,
    drivers: z.array(z.object({ indicator: z.string(), value: z.number().nullable(), contribution: z.number(), text: z.string() })).readonly(),
    prior: z.object({ milestone, outcome: z.enum(["reached", "missed", "unknown"]), school_year: z.int(), text: z.string() }).nullable(),
    scored_with: milestone.nullable(),
  }),
);

const countField = z.enum(countFields);
const rollupCell = named(
  "RollupCell",
  z.object({
    scope: z.enum(["state", "district", "school"]),
    district_id: z.string(),
    school_id: z.string(),
    milestone,
    grade: z.string(),
    dimension: z.enum(["all", ...subgroupDimensions]),
    value: z.string(),
    n: z.int().nullable(),
    low: z.int().nullable(),
    moderate: z.int().nullable(),
    high: z.int().nullable(),
    share_low: z.number().nullable(),
    share_moderate: z.number().nullable(),
    share_high: z.number().nullable(),
    mean_risk: z.number().nullable(),
    mean_risk_change: z.number().nullable(),
    high_share_change: z.number().nullable(),
    suppressed: z.array(countField),
    suppressed_small: z.array(countField).nullable(),
  }),
);

const rollupView = z.object({ term: termSummary, suppression_threshold: z.int(), cells: z.array(rollupCell) });

export const healthResponse = named("HealthResponse", z.union([
  z.object({ status: z.literal("ready"), term: termSummary }),
  z.object({ status: z.literal("not_ready"), reason: z.string() }),
]));

export const meResponse = named("MeResponse", z.object({
  name: z.string(),
  role: z.enum(roles),
  districts: z.array(z.string()).readonly(),
  schools: z.array(z.string()).readonly(),
  state: z.boolean(),
  reads_students: z.boolean(),
  signed_in_with: z.enum(["token", "session"]),
  /** For a signed-in person: what every change they make must send as X-CSRF-Token. Null for a token. */
  csrf_token: z.string().nullable(),
}));

export const signInResponse = named("SignInResponse", z.object({ single_sign_on: z.boolean(), login_url: z.string().nullable() }));

export const termsResponse = named("TermsResponse", z.object({
  terms: z.array(termSummary.extend({ students_enrolled: z.int(), students_scored: z.int(), scores: z.int() })),
}));

/** A student's name from the roster; null when the district gave none for them. */
const studentName = named("StudentName", z.object({ first_name: z.string(), last_name: z.string(), local_id: z.string().nullable() }).nullable());

/** Each listed student's open plans, by student id: read afresh on every request, never kept with the page. */
const planSummary = z.object({ active_plans: z.int(), next_check_in_due: z.string().nullable(), check_in_overdue: z.boolean() });

export const riskListResponse = named(
  "RiskListResponse",
  z.object({ plans: z.record(z.string(), planSummary), term: termSummary, students: z.array(score.extend({ name: studentName })), next_cursor: z.string().nullable() }),
);

export const studentResponse = named("StudentResponse", z.object({
  term: termSummary,
  student: z.object({ student_id: z.string(), name: studentName, district_id: z.string(), school_id: z.string(), grade: z.int(), subgroups }),
  scores: z.array(score),
  indicators: z.array(z.object({ indicator: z.string(), value: z.number().nullable(), text: z.string() })),
  history: z.array(z.object({ term_id: z.int(), school_year: z.int(), label: z.string(), milestone, grade: z.int(), risk: z.number(), tier })),
}));

export const districtsResponse = named("DistrictsResponse", z.object({ term: termSummary, districts: z.array(z.object({ district_id: z.string() })) }));
export const schoolsResponse = named("SchoolsResponse", z.object({ term: termSummary, schools: z.array(z.object({ district_id: z.string(), school_id: z.string() })) }));
export const stateRollupResponse = named("StateRollupResponse", rollupView);
export const districtRollupResponse = named("DistrictRollupResponse", rollupView.extend({ district_id: z.string() }));
export const schoolRollupResponse = named("SchoolRollupResponse", rollupView.extend({ district_id: z.string(), school_id: z.string() }));

const plan = named(
  "Plan",
  z.object({
    id: z.int(),
    student_id: z.string(),
    district_id: z.string(),
    school_id: z.string(),
    type_id: z.string(),
    owner: z.string(),
    goal: z.string(),
    starts_on: z.string(),
    planned_end: z.string(),
    check_in_days: z.int(),
    last_check_in_on: z.string().nullable(),
    ended_on: z.string().nullable(),
    outcome: z.enum(planOutcomes).nullable(),
    version: z.int(),
    created_at: z.string(),
    created_by: z.string(),
    next_check_in_due: z.string().nullable(),
    check_in_overdue: z.boolean(),
  }),
);
const planEvent = z.object({ id: z.int(), plan_id: z.int(), at: z.string(), by: z.string(), kind: z.enum(["assigned", "checked_in", "changed", "ended"]), detail: z.record(z.string(), z.unknown()) });
const note = named("Note", z.object({ id: z.int(), student_id: z.string(), district_id: z.string(), school_id: z.string(), kind: z.enum(noteKinds), text: z.string(), written_by: z.string(), written_at: z.string() }));

export const interventionsResponse = named("InterventionsResponse", z.object({ interventions: z.array(z.object({ id: z.string(), label: z.string(), retired_at: z.string().nullable() })) }));
export const planResponse = named("PlanResponse", z.object({ plan }));
/** The student's tiers in the term before a plan began and in the latest one. */
const sinceStart = z
  .object({ then: termSummary, now: termSummary, tiers: z.array(z.object({ milestone, then: z.enum(riskTiers).nullable(), now: z.enum(riskTiers) })) })
  .nullable();
export const plansResponse = named("PlansResponse", z.object({ plans: z.array(plan.extend({ since_start: sinceStart, history: z.array(planEvent) })) }));
/** `GET /plans` answers CSV only; its JSON schema is the CSV's text. */
export const plansCsvResponse = named("PlansCsv", z.string());
const coverageCell = z.object({
  scope: z.enum(["state", "district", "school"]),
  district_id: z.string(),
  school_id: z.string(),
  milestone,
  grade: z.string(),
  dimension: z.string(),
  value: z.string(),
  high_risk: z.int().nullable(),
  with_plan: z.int().nullable(),
  without_plan: z.int().nullable(),
  share_with_plan: z.number().nullable(),
  suppressed: z.array(z.enum(["high_risk", "with_plan", "without_plan"])),
});
export const coverageResponse = named(
  "CoverageResponse",
  z.object({
    term: termSummary,
    suppression_threshold: z.int(),
    computed_at: z.string(),
    /** Shown by place only: by grade and subgroup, beside the published rollups, they could not be protected. */
    places_only_milestones: z.array(z.string()),
    /** Not shown at all: not even by place could they be protected beside the published rollups. */
    withheld_milestones: z.array(z.string()),
    cells: z.array(coverageCell),
  }),
);
const movementCell = z.object({
  scope: z.enum(["state", "district", "school"]),
  district_id: z.string(),
  school_id: z.string(),
  milestone,
  previous_tier: z.enum([...riskTiers, "new"]),
  intervention: z.string(),
  students: z.int().nullable(),
  now_low: z.int().nullable(),
  now_moderate: z.int().nullable(),
  now_high: z.int().nullable(),
  suppressed: z.array(z.enum(movementFields)),
});
export const movementResponse = named(
  "MovementResponse",
  z.object({
    term: termSummary,
    previous_term: termSummary,
    plans_open_between: z.object({ from: z.string(), to: z.string() }),
    descriptive_only: z.string(),
    suppression_threshold: z.int(),
    computed_at: z.string(),
    /** Milestones left out whole: protecting them would have needed a number the rollups show. */
    withheld_milestones: z.array(z.string()),
    cells: z.array(movementCell),
  }),
);
export const noteResponse = named("NoteResponse", z.object({ note }));
export const notesResponse = named("NotesResponse", z.object({ notes: z.array(note), restricted_not_shown: z.int() }));

export const errorResponse = named(
  "Error",
  z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
);
