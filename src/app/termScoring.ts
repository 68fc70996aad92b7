import {
  publishedScore,
  RollupAccumulator,
  TermScorer,
  type HistoryTable,
  type PublishedScore,
  type RiskModel,
  type RollupCell,
  type StudentScore,
  type SuppressionLoss,
  type TermSummary,
} from "../core/index.ts";

/** What a term run scores: the accepted history, the year, the models, and the rollups' threshold. */
export interface ScoringJob {
  table: HistoryTable;
  schoolYear: number;
  models: readonly RiskModel[];
  minCell: number;
}

export interface ScoredBatch {
  /** Published scores in the histories' order, each new to the term (the writer takes the tier move). */
  scores: PublishedScore[];
  /** Students scored so far, this batch's included. */
  students: number;
}

/** A batch as scoring makes it: with each score's student by number in the table, which a worker sends instead of the id's text. */
export interface OwnedBatch extends ScoredBatch {
  owners: number[];
}

/** Every score's rollups, suppressed at the job's threshold. */
export interface ScoredRollups {
  cells: RollupCell[];
  loss: SuppressionLoss[];
}

/**
 * A term's scoring as the publisher consumes it: batches while it writes, then the counts, then
 * the rollups. One implementation runs here (`scoreHere`); src/parallel/scoringWorkers.ts runs
 * the same core code on two worker threads, so the thread that writes to the store only writes.
 */
export interface TermScoring {
  batches(): AsyncIterable<ScoredBatch>;
  /** What scoring counted; known once the last batch is taken. */
  summary(): TermSummary;
  /** After the last batch: the suppressed rollups. */
  rollups(): Promise<ScoredRollups>;
  /** Ends the scoring early (the write failed); safe to call when it is done. */
  stop(): Promise<void>;
}

export type ScoreTerm = (job: ScoringJob) => TermScoring;

/** Students scored between two writes to the store: large enough to batch, small enough to stream. */
const STUDENTS_A_BATCH = 4_096;

/**
 * Scores a job's students a batch at a time, rolling each score up as it is made (when given
 * `rollups`): the one loop every implementation runs (here, or inside the workers). Returns what
 * scoring counted.
 */
export function* scoredBatches(job: Omit<ScoringJob, "minCell">, rollups?: RollupAccumulator): Generator<OwnedBatch, TermSummary> {
  const scorer = new TermScorer(job.schoolYear, job.models);
  let batch: PublishedScore[] = [];
  let owners: number[] = [];
  let seen = 0;
  const add = (score: StudentScore) => {
    const published = publishedScore(score);
    rollups?.add(published);
    batch.push(published);
    owners.push(seen);
  };
  for (const history of job.table.histories()) {
    scorer.score(history, add);
    if (++seen % STUDENTS_A_BATCH === 0) {
      yield { scores: batch, owners, students: seen };
      batch = [];
      owners = [];
    }
  }
  if (seen % STUDENTS_A_BATCH !== 0) yield { scores: batch, owners, students: seen };
  return scorer.summary();
}

/**
 * Counts a job's scores into `rollups` and keeps none: the rollups worker's pass, beside the
 * writes. The same scores as `scoredBatches` (so the same counts), unexplained and unpublished.
 */
export function countScores(job: Omit<ScoringJob, "minCell">, rollups: RollupAccumulator): TermSummary {
  const scorer = new TermScorer(job.schoolYear, job.models, { explain: false });
  for (const history of job.table.histories()) scorer.score(history, (score) => rollups.add(score));
  return scorer.summary();
}

/** Scoring on the calling thread, between the writer's batches. */
export const scoreHere: ScoreTerm = (job) => {
  const rollups = new RollupAccumulator();
  const scoring = scoredBatches(job, rollups);
  let summary: TermSummary | undefined;
  return {
    async *batches() {
      summary = yield* scoring;
    },
    summary() {
      if (!summary) throw new Error("summary() before the last batch");
      return summary;
    },
    async rollups() {
      return rollups.finish(job.minCell);
    },
    async stop() {
      scoring.return(undefined as never);
    },
  };
};
