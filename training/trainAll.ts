import {
  buildTrainingSets,
  DEFAULT_CUT_POINTS,
  milestoneNames,
  milestones,
  trainingSetKey,
  type CutPoints,
  type Milestone,
  type RiskModel,
  type HistorySource,
  type TrainingSet,
} from "../src/core/index.ts";
import { trainRiskModel } from "./trainRiskModel.ts";

export interface TrainAllOptions {
  l2: number;
  cutPoints?: Partial<Record<Milestone, CutPoints>>;
  ewisVersion: string;
  data: { sha256: string; rows: number };
}

export interface SkippedModel {
  milestone: Milestone;
  grade: number;
  examples: number;
  reason: string;
}

export interface TrainAllResult {
  lastYear: number;
  models: RiskModel[];
  skipped: SkippedModel[];
}

/** Ridge strength on standardised features: enough to keep rare flags from separating, small enough to leave the fit to the data. */
export const DEFAULT_L2 = 1;

/** One model per (milestone, grade) of every band, in milestone then grade order. */
export function trainAll(source: HistorySource, options: TrainAllOptions): TrainAllResult {
  return { lastYear: source.lastYear, ...trainModels(buildTrainingSets(source.histories(), source.lastYear), options) };
}

export function trainModels(sets: ReadonlyMap<string, TrainingSet>, options: TrainAllOptions): Omit<TrainAllResult, "lastYear"> {
  const models: RiskModel[] = [];
  const skipped: SkippedModel[] = [];
  for (const milestone of milestoneNames) {
    for (const grade of milestones[milestone].grades) {
      const set = sets.get(trainingSetKey(milestone, grade));
      if (!set) {
        skipped.push({ milestone, grade, examples: 0, reason: `no grade ${grade} rows in the history` });
        continue;
      }
      const result = trainRiskModel(set, {
        l2: options.l2,
        cutPoints: options.cutPoints?.[milestone] ?? DEFAULT_CUT_POINTS,
        ewisVersion: options.ewisVersion,
        data: options.data,
      });
      if ("model" in result) models.push(result.model);
      else skipped.push({ milestone, grade, examples: set.n, reason: result.skipped });
    }
  }
  return { models, skipped };
}
