import { indicatorNames, milestones, milestoneNames } from "../src/core/index.ts";
import type { TrainingReport } from "./trainingReport.ts";
import { gradesText } from "./trainAll.ts";

/** The card that travels with a model directory: what the models are for and where they stop. */
export function renderModelCard(report: TrainingReport): string {
  const auc = (m: TrainingReport["models"][number]) => (m.validation.auc === null ? "–" : m.validation.auc.toFixed(3));
  return [
    "# ewis model card",
    "",
    `Trained by ewis ${report.ewisVersion} on \`${report.history.file}\` (sha256 \`${report.history.sha256}\`, ${report.history.accepted} student-year rows), ` +
      `last (year-to-date) school year ${report.lastSchoolYear}.`,
    "",
    "## What the models do",
    "",
    "One logistic model per milestone and grade gives the probability that a student **misses** the milestone (the risk),",
    "a tier (low / moderate / high, by the cut-points stored in each file) and the indicators that raise the risk most.",
    "",
    "| milestone | grades | reached means |",
    "| --- | --- | --- |",
    ...milestoneNames.map((m) => `| ${m} | ${milestones[m].grades.join(", ")} | ${milestones[m].description} |`),
    "",
    "## Inputs",
    "",
    `Indicators, from earlier years and the year-to-date part of the scored year only: ${indicatorNames.join(", ")}.`,
    "A missing indicator is filled with the training mean and flagged by its own `_missing` column; values beyond the training range are scored at its edge.",
    "Race/ethnicity and gender are not inputs. The scored year's test scores, course marks and exit status never are.",
    "",
    "## Validation (most recent closed cohort, held out)",
    "",
    "| milestone | grade | trained on | validation cohort | validation n | AUC | Brier |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.models.map(
      (m) => `| ${m.milestone} | ${m.grade} | ${m.validation.trainedOn} | ${m.validation.cohort} | ${m.validation.examples} | ${auc(m)} | ${m.validation.brier.toFixed(3)} |`,
    ),
    ...(report.skipped.length ? ["", `Skipped: ${report.skipped.map((s) => `${s.milestone} ${gradesText(s.grades)} (${s.reason})`).join("; ")}.`] : []),
    "",
    "Calibration by decile and the observed reach rate of each tier are in `training-report.md`.",
    "",
    "## Limits",
    "",
    "- A risk is a prompt to look, not a verdict: it says how students with similar records fared, not what this student will do.",
    "- Models learn from past cohorts; a change in tests, grading or enrolment rules makes them stale until retrained.",
    "- Current-year attendance and suspension rates are year-to-date; early in the year they are noisy.",
    "- Subgroup (equity) audit of these models: not yet part of this report.",
    "",
  ].join("\n");
}
