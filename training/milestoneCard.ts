import { milestones, type EvaluationReport, type Milestone } from "../src/core/index.ts";

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? "–" : `${(100 * v).toFixed(1)} %`);

/** One card per milestone, from the evaluation: what it is for, how well it does, for whom, and where it stops. */
export function renderMilestoneCard(milestone: Milestone, report: EvaluationReport): string {
  const models = report.models.filter((m) => m.milestone === milestone);
  const findings = models.flatMap((m) =>
    m.equity.flatMap((g) =>
      g.disparities
        .filter((d) => d.exceeds)
        .map((d) => `- grade ${m.grade}, ${g.dimension} = ${g.value} (n ${g.n}): ${d.metric} ${d.group?.toFixed(3)} vs ${d.rest?.toFixed(3)} for everyone else`),
    ),
  );
  const small = models.flatMap((m) => m.equity.filter((g) => g.tooSmall).map((g) => `${g.dimension} = ${g.value} (grade ${m.grade}, n ${g.n})`));
  return [
    `# Model card: ${milestone}`,
    "",
    `**Predicts:** the risk that a student misses "${milestones[milestone].description}", for students in grades ${milestones[milestone].grades.join(", ")}.`,
    "",
    "**Intended use:** to help counselors and schools decide whom to look at first and why, each term. Not for placement,",
    "discipline, grading or any decision about a student on its own: **a risk tier is a prompt to look, not a verdict on a child.**",
    "",
    `**Data:** \`${report.history.file}\` (sha256 \`${report.history.sha256.slice(0, 16)}…\`). Race/ethnicity and gender are not inputs.`,
    "",
    "## Accuracy on the held-out cohort",
    "",
    "| grade | cohort | n | miss rate | AUC (95 % CI) | Brier | high tier: precision | recall | low / moderate / high reach (≈ 90 / 60 / 25 %) |",
    "| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ...models.map((m) => {
      const high = m.cutPoints.find((c) => c.tier === "high");
      return (
        `| ${m.grade} | ${m.cohort} | ${m.n} | ${pct(m.missRate)} | ${m.auc.estimate.toFixed(3)} (${m.auc.low.toFixed(3)}–${m.auc.high.toFixed(3)}) | ${m.brier.toFixed(3)} | ` +
        `${pct(high?.precision ?? null)} | ${pct(high?.recall ?? null)} | ${m.tiers.map((t) => pct(t.observedReachRate)).join(" / ")} |`
      );
    }),
    "",
    "## Against the rule-based flags",
    "",
    ...models.flatMap((m) => [
      `Grade ${m.grade}: ` +
        m.baselines.map((b) => `${b.name} recall ${pct(b.recall)} at false-positive rate ${pct(b.falsePositiveRate)}, precision ${pct(b.precision)}`).join("; ") +
        ". " +
        (m.baselineVerdicts.length ? m.baselineVerdicts.join(" ") : "The model's ROC curve is above every baseline's point."),
    ]),
    "",
    "## Equity",
    "",
    `Each subgroup against everyone else, at the high-tier cut-point; tolerances ${Object.entries(report.tolerances)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    "",
    ...(findings.length ? ["Disparities beyond tolerance:", "", ...findings] : ["No disparity beyond tolerance."]),
    "",
    small.length ? `Too few students to judge (under ${report.minGroupSize}, or too few of either outcome): ${small.join("; ")}.` : "",
    "",
    "## Limits",
    "",
    "- Figures come from one held-out cohort; a small cohort gives wide intervals.",
    "- Models learn from past cohorts; a change in tests, grading or enrolment rules makes them stale until retrained.",
    "- Current-year attendance and suspension rates are year-to-date and noisy early in the year.",
    "- Disparities are measured, not removed: where a group is over-flagged, read its students' drivers before acting.",
    "",
  ].join("\n");
}
