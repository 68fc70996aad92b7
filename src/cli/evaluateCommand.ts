import { join } from "node:path";
import { DEFAULT_TOLERANCES, EwisError, milestoneNames, type EvaluationReport } from "../core/index.ts";
import { writeFileAtomic } from "../io/atomicWrite.ts";
import { ewisVersion } from "../io/ewisVersion.ts";
import { loadModels, toJson } from "../io/modelFiles.ts";
import { renderEvaluationReport } from "../../training/evaluationReport/render.ts";
import { evaluateModels } from "../../training/evaluate.ts";
import { renderMilestoneCard } from "../../training/milestoneCard.ts";
import { readHistoryForRun } from "./historyInput.ts";

export interface EvaluateCommandOptions {
  history: string;
  models: string;
  out: string;
  seed: number;
  replicates: number;
  minGroup: number;
  tolerance: string[];
}

/** `metric=value` pairs over the defaults; an unknown metric or a value outside [0, 1] is refused. */
function parseTolerances(values: readonly string[]): EvaluationReport["tolerances"] {
  const tolerances = { ...DEFAULT_TOLERANCES };
  for (const value of values) {
    const [metric, raw = ""] = value.split("=");
    const number = Number(raw);
    if (!Object.hasOwn(tolerances, metric) || raw === "" || !(number >= 0 && number <= 1)) {
      throw new EwisError("invalid_argument", `--tolerance must be metric=value with value 0 to 1 and metric one of ${Object.keys(tolerances).join(", ")}, got "${value}"`);
    }
    tolerances[metric as keyof typeof tolerances] = number;
  }
  return tolerances;
}

/** evaluation.json, evaluation.html and one model card per milestone, in `out`. */
export async function evaluateCommand(options: EvaluateCommandOptions, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const models = await loadModels(options.models);
  const history = await readHistoryForRun(options.history, join(options.out, "evaluation.rejects.csv"), log);
  const { report, skipped } = evaluateModels(history.table, models, {
    ewisVersion,
    history: { file: options.history, sha256: history.sha256 },
    replicates: options.replicates,
    seed: options.seed,
    minGroupSize: options.minGroup,
    tolerances: parseTolerances(options.tolerance),
  });
  await writeFileAtomic(join(options.out, "evaluation.json"), toJson(report));
  await writeFileAtomic(join(options.out, "evaluation.html"), await renderEvaluationReport(report));
  for (const milestone of milestoneNames) {
    if (report.models.some((m) => m.milestone === milestone)) {
      await writeFileAtomic(join(options.out, `model-card-${milestone}.md`), renderMilestoneCard(milestone, report));
    }
  }
  for (const m of report.models) {
    const flags = m.equity.reduce((k, g) => k + g.disparities.filter((d) => d.exceeds).length, 0);
    log(
      `${m.milestone} grade ${m.grade}: cohort ${m.cohort}, AUC ${m.auc.estimate.toFixed(3)} (${m.auc.low.toFixed(3)}–${m.auc.high.toFixed(3)}), ` +
        `${flags} equity flags${m.baselineVerdicts.length ? `, ${m.baselineVerdicts.length} baseline(s) above the curve` : ""}`,
    );
  }
  for (const s of skipped) log(`skipped: ${s}`);
  log(`evaluation.json, evaluation.html and model cards written to ${options.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
