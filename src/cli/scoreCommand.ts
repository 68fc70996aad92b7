import { scoreTerm, type RiskTier } from "../core/index.ts";
import { loadModels } from "../io/modelFiles.ts";
import { writeScores } from "../io/scoresFile.ts";
import { noOneEnrolled, readHistoryForRun } from "./historyInput.ts";

export interface ScoreCommandOptions {
  history: string;
  year: number;
  models: string;
  out: string;
  rejects?: string;
}

export async function scoreCommand(options: ScoreCommandOptions, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const models = await loadModels(options.models);
  const history = await readHistoryForRun(options.history, options.rejects ?? `${options.out}.rejects.csv`, log);
  const term = scoreTerm(history.table.histories(), options.year, models);
  if (term.studentsEnrolled === 0) throw noOneEnrolled(options.year, history.table, options.history);
  await writeScores(options.out, term.scores);
  const tiers: Record<RiskTier, number> = { low: 0, moderate: 0, high: 0 };
  for (const s of term.scores) tiers[s.tier]++;
  log(`${options.year}: ${term.studentsEnrolled} students enrolled, ${term.studentsScored} scored, ${term.scores.length} scores written to ${options.out}`);
  log(`tiers: ${tiers.low} low, ${tiers.moderate} moderate, ${tiers.high} high`);
  for (const [why, count] of Object.entries(term.notScored)) log(`not scored: ${count} (${why})`);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
