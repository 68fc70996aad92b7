import {
  baseMilestone,
  buildTrainingSets,
  milestoneColumn,
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
import { recalibratedModel } from "./fallbackModel.ts";
import { subset, trainRiskModel } from "./trainRiskModel.ts";

export interface TrainAllOptions {
  l2: number;
  cutPoints?: Partial<Record<Milestone, CutPoints>>;
  ewisVersion: string;
  data: { sha256: string; rows: number };
}

export interface SkippedModel {
  milestone: Milestone;
  /** One grade, or every grade of the milestone when one reason covers them all. */
  grades: number[];
  examples: number;
  reason: string;
}

/** "grade 11" or "grades 11, 12": how a skipped entry names its grades. */
export const gradesText = (grades: readonly number[]): string => `${grades.length === 1 ? "grade" : "grades"} ${grades.join(", ")}`;

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

function trainModels(sets: ReadonlyMap<string, TrainingSet>, options: TrainAllOptions): Omit<TrainAllResult, "lastYear"> {
  const models: RiskModel[] = [];
  const skipped: SkippedModel[] = [];
  const trained = new Map<string, RiskModel>();
  for (const milestone of milestoneNames) {
    const grades = milestones[milestone].grades as readonly number[];
    const withoutColumn = missingColumn(milestone, grades, sets);
    if (withoutColumn) {
      skipped.push({ milestone, grades: [...grades], examples: 0, reason: withoutColumn });
      continue;
    }
    const noRows: number[] = [];
    for (const grade of grades) {
      const found = sets.get(trainingSetKey(milestone, grade));
      const set = found && milestoneColumn(milestone) ? cohortsWithTheColumn(found) : found;
      if (!set) {
        noRows.push(grade);
        continue;
      }
      const train = {
        l2: options.l2,
        cutPoints: options.cutPoints?.[milestone] ?? DEFAULT_CUT_POINTS,
        ewisVersion: options.ewisVersion,
        data: options.data,
      };
      let result = trainRiskModel(set, train);
      // Milestones are listed base first, so a follow-on finds its base already trained.
      const base = "skipped" in result ? nearestBase(milestone, grade, trained) : undefined;
      if ("skipped" in result && base) result = recalibratedModel(set, base, train, `too few of its own rows to fit (${result.skipped})`);
      if ("model" in result) {
        models.push(result.model);
        trained.set(trainingSetKey(milestone, grade), result.model);
      } else skipped.push({ milestone, grades: [grade], examples: set.n, reason: result.skipped });
    }
    if (noRows.length > 0) {
      const base = baseMilestone(milestone);
      const reason = base ? `no student on this path in the history (one who appears is scored with the ${base} model)` : "no rows in the history";
      skipped.push({ milestone, grades: noRows, examples: 0, reason });
    }
  }
  return { models, skipped };
}

/** The base milestone's model for the grade, or its base's, for a follow-on milestone. */
function nearestBase(milestone: Milestone, grade: number, trained: ReadonlyMap<string, RiskModel>): RiskModel | undefined {
  for (let m = baseMilestone(milestone); m !== undefined; m = baseMilestone(m)) {
    const model = trained.get(trainingSetKey(m, grade));
    if (model) return model;
  }
  return undefined;
}

/**
 * Why a milestone that reads an optional column cannot be trained from this history at all: no
 * graduate has the column filled (a state that does not collect it, or a file without it). Said
 * once for the milestone, not once per grade.
 */
function missingColumn(milestone: Milestone, grades: readonly number[], sets: ReadonlyMap<string, TrainingSet>): string | undefined {
  const column = milestoneColumn(milestone);
  if (column === undefined) return undefined;
  const known = grades.reduce((n, g) => {
    const set = sets.get(trainingSetKey(milestone, g));
    return n + (set ? cohortsWithTheColumn(set).n : 0);
  }, 0);
  if (known > 0) return undefined;
  return `the history has no ${column} values for its graduates (the column is optional and absent or blank), so there is no outcome to learn; every other model is trained`;
}

/**
 * The examples of the cohorts where the optional column was collected. Without it a cohort's
 * graduates who enrolled are unknown while those who did not, and its dropouts, are known to
 * have missed: learning from it would teach that everyone misses. A cohort with no student who
 * reached the milestone is taken as one where the column was not collected.
 */
function cohortsWithTheColumn(set: TrainingSet): TrainingSet {
  const collected = new Set<number>();
  for (let i = 0; i < set.n; i++) if (set.missed[i] === 0) collected.add(set.cohortYear[i]);
  const kept = subset(set, (year) => collected.has(year));
  if (kept.n === set.n) return set;
  const { n, indicators, missed, cohortYear, source } = kept;
  return { ...set, n, indicators, missed, cohortYear, student: source.map((i) => set.student[i]), row: source.map((i) => set.row[i]) };
}
