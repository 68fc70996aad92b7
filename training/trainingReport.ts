import type { RiskModel } from "../src/core/index.ts";
import { gradesText, type SkippedModel, type TrainAllResult } from "./trainAll.ts";

export interface TrainingReport {
  ewisVersion: string;
  history: { file: string; sha256: string; read: number; accepted: number; rejected: number };
  lastSchoolYear: number;
  l2: number;
  models: Pick<RiskModel, "milestone" | "grade" | "cutPoints" | "training" | "validation" | "fit" | "recalibratedFrom">[];
  skipped: SkippedModel[];
}

export function buildTrainingReport(
  result: TrainAllResult,
  meta: { ewisVersion: string; l2: number; history: TrainingReport["history"] },
): TrainingReport {
  return {
    ewisVersion: meta.ewisVersion,
    history: meta.history,
    lastSchoolYear: result.lastYear,
    l2: meta.l2,
    models: result.models.map(({ milestone, grade, cutPoints, training, validation, fit, recalibratedFrom }) => ({
      milestone,
      grade,
      cutPoints,
      training,
      validation,
      fit,
      ...(recalibratedFrom ? { recalibratedFrom } : {}),
    })),
    skipped: result.skipped,
  };
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? "–" : `${(100 * v).toFixed(1)} %`);
const num = (v: number | null, digits = 3) => (v === null || Number.isNaN(v) ? "–" : v.toFixed(digits));

/** The readable page beside the JSON: what a state data team reads before trusting a model. */
export function renderTrainingReport(report: TrainingReport): string {
  const lines = [
    "# ewis training report",
    "",
    `History \`${report.history.file}\` (sha256 \`${report.history.sha256.slice(0, 16)}…\`): ${report.history.read} rows read, ` +
      `${report.history.accepted} accepted, ${report.history.rejected} rejected. Last (year-to-date) school year ${report.lastSchoolYear}. ` +
      `ewis ${report.ewisVersion}, L2 penalty ${report.l2} on standardised features.`,
    "",
    "A cohort is the school year in which the milestone fell due (first grade 3, 6 or 9 year, or the repeated year itself; grade 9 year + 3",
    "for on-time graduation and college enrolment, + 4 for college persistence and five-year graduation; the year itself for a later year).",
    "Follow-on milestones (a repeated grade, a fifth or later high-school year) too few to fit on their own are the base milestone's model",
    "recalibrated on their rows (\"fitted on\" column; `docs/data-contract.md`, \"Fallback\"). Each model is validated on the most recent cohort whose due year is over, after fitting on the earlier cohorts;",
    "the shipped model is then refit on all known cohorts. Risk is the probability of missing the milestone.",
    "Students whose outcome is unknown (transferred out, not yet reached, not tested) are left out and counted.",
    "",
    "| milestone | grade | fitted on | examples | reach rate | unknown | validation cohort | validation n | AUC | Brier | low tier reach (≈90 %) | moderate (≈60 %) | high (≈25 %) |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const m of report.models) {
    const tier = (name: string) => {
      const t = m.validation.tiers.find((x) => x.tier === name);
      return t ? `${pct(t.observedReachRate)} (n ${t.n})` : "–";
    };
    lines.push(
      `| ${m.milestone} | ${m.grade} | ${m.recalibratedFrom ? `${m.recalibratedFrom.milestone}, recalibrated (slope ${num(m.recalibratedFrom.slope, 2)})` : "own rows"} | ${m.training.examples} | ${pct(m.training.reachRate)} | ${m.training.unknownOutcomes} | ${m.validation.cohort} | ` +
        `${m.validation.examples} | ${num(m.validation.auc)} | ${num(m.validation.brier)} | ${tier("low")} | ${tier("moderate")} | ${tier("high")} |`,
    );
  }
  if (report.skipped.length > 0) {
    lines.push("", "## Skipped", "", "| milestone | grades | examples | reason |", "| --- | ---: | ---: | --- |");
    for (const s of report.skipped) lines.push(`| ${s.milestone} | ${s.grades.join(", ")} | ${s.examples} | ${s.reason} |`);
  }
  lines.push("", "## Calibration by decile (validation cohort)", "");
  for (const m of report.models) {
    lines.push(
      `### ${m.milestone}, grade ${m.grade} (cut-points ${m.cutPoints.join(" / ")})`,
      "",
      "| decile | n | mean predicted risk | observed miss rate |",
      "| ---: | ---: | ---: | ---: |",
      ...m.validation.calibration.map((c) => `| ${c.decile} | ${c.n} | ${num(c.meanPredicted)} | ${num(c.observedRate)} |`),
      "",
    );
  }
  return lines.join("\n");
}
