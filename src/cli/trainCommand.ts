import { join } from "node:path";
import { checkCutPoints, parseMilestone, type CutPoints, type Milestone } from "../core/index.ts";
import { ewisVersion } from "../io/ewisVersion.ts";
import { toJson, writeModelDirectory } from "../io/modelFiles.ts";
import { buildTrainingReport, renderTrainingReport } from "../../training/trainingReport.ts";
import { renderModelCard } from "../../training/modelCard.ts";
import { DEFAULT_L2, gradesText, trainAll } from "../../training/trainAll.ts";
import { readHistoryForRun } from "./historyInput.ts";

export interface TrainCommandOptions {
  history: string;
  out: string;
  l2: number;
  cutPoints: string[];
  rejects?: string;
}

/** `milestone=low,high`, e.g. `on_time_graduation=0.15,0.4`. */
function parseCutPointOption(values: readonly string[]): Partial<Record<Milestone, CutPoints>> {
  const byMilestone: Partial<Record<Milestone, CutPoints>> = {};
  for (const value of values) {
    const [name, points = ""] = value.split("=");
    const milestone = parseMilestone(name);
    byMilestone[milestone] = checkCutPoints(points.split(",").map(Number), milestone);
  }
  return byMilestone;
}

export async function trainCommand(options: TrainCommandOptions, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const cutPoints = parseCutPointOption(options.cutPoints);
  const history = await readHistoryForRun(options.history, options.rejects ?? `${options.out}.rejects.csv`, log);
  const result = trainAll(history.table, {
    l2: options.l2 ?? DEFAULT_L2,
    cutPoints,
    ewisVersion,
    data: { sha256: history.sha256, rows: history.accepted },
  });
  const report = buildTrainingReport(result, {
    ewisVersion,
    l2: options.l2,
    history: { file: options.history, sha256: history.sha256, read: history.read, accepted: history.accepted, rejected: history.rejected },
  });
  await writeModelDirectory(options.out, result.models, {
    "training-report.json": toJson(report),
    "training-report.md": renderTrainingReport(report),
    "model-card.md": renderModelCard(report),
  });
  for (const m of result.models) {
    const auc = m.validation.auc === null ? "–" : m.validation.auc.toFixed(3);
    const how = m.recalibratedFrom ? `, recalibrated from ${m.recalibratedFrom.milestone} (slope ${m.recalibratedFrom.slope.toFixed(2)})` : "";
    log(`${m.milestone} grade ${m.grade}: ${m.training.examples} examples${how}, validation cohort ${m.validation.cohort} AUC ${auc}`);
  }
  for (const s of result.skipped) log(`${s.milestone} ${gradesText(s.grades)}: skipped, ${s.reason}`);
  log(`${result.models.length} models and the training report written to ${options.out} (${join(options.out, "training-report.md")}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
