import { z } from "zod";
import { indicatorNames } from "./indicators.ts";
import { milestoneNames } from "./milestones.ts";
import { riskTiers } from "./riskTier.ts";

/**
 * The saved model: one per (milestone, grade), versioned JSON, parsed with this schema on load.
 * Each feature carries its scaling and coefficient, so the file reads top to bottom and a
 * mismatch between names and numbers cannot happen.
 */
export const RISK_MODEL_SCHEMA_VERSION = 1;

const estimate = z.object({ coefficient: z.number(), stdErr: z.number() });

const calibrationBin = z.object({ decile: z.number().int(), n: z.number().int(), meanPredicted: z.number(), observedRate: z.number() });

const tierReach = z.object({
  tier: z.enum(riskTiers),
  n: z.number().int(),
  observedReachRate: z.number().nullable(),
  describedReachRate: z.number(),
});

export const riskModelSchema = z.object({
  schemaVersion: z.literal(RISK_MODEL_SCHEMA_VERSION),
  ewisVersion: z.string(),
  milestone: z.enum(milestoneNames),
  grade: z.number().int().min(1).max(12),
  target: z.literal("missed").describe("the model predicts the probability of missing the milestone"),
  intercept: estimate,
  features: z.array(
    estimate.extend({
      name: z.string(),
      indicator: z.enum(indicatorNames),
      kind: z.enum(["value", "missing"]),
      min: z.number().describe("training range: values beyond it are scored at its edge"),
      max: z.number(),
      mean: z.number(),
      sd: z.number().positive(),
    }),
  ),
  fill: z.partialRecord(z.enum(indicatorNames), z.number()),
  cutPoints: z.tuple([z.number(), z.number()]),
  penalty: z.object({ l2: z.number().min(0), on: z.literal("standardized features, intercept not penalised") }),
  fit: z.object({ iterations: z.number().int(), converged: z.boolean(), logLikelihood: z.number() }),
  training: z.object({
    examples: z.number().int(),
    reachRate: z.number(),
    cohorts: z.array(z.number().int()).describe("school years in which the milestone fell due"),
    unknownOutcomes: z.number().int(),
    unknownByReason: z.record(z.string(), z.number().int()),
  }),
  validation: z.object({
    cohort: z.number().int(),
    trainedOn: z.number().int(),
    examples: z.number().int(),
    reachRate: z.number(),
    auc: z.number().nullable(),
    brier: z.number(),
    logLoss: z.number(),
    calibration: z.array(calibrationBin),
    tiers: z.array(tierReach),
  }),
  data: z.object({ sha256: z.string(), rows: z.number().int() }),
  recalibratedFrom: z
    .object({
      milestone: z.enum(milestoneNames),
      grade: z.number().int(),
      shift: z.number(),
      slope: z.number(),
      examples: z.number().int(),
      why: z.string(),
    })
    .optional()
    .describe("a follow-on milestone with too few rows of its own: the base model's log-odds L, rescaled to shift + slope·L on them"),
});

export type RiskModel = z.infer<typeof riskModelSchema>;
