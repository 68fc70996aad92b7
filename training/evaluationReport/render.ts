import type { EvaluationReport, ModelEvaluation } from "../../src/core/index.ts";
import { calibrationChart, fprBarChart, rocChart } from "./charts.ts";
import { comparisonTables, equityFlags, equityTable, flagTable, interval, summaryTable, tiersTable } from "./tables.ts";
import { dimensionName, esc, int, metricWords, modelId, modelTitle, num, pct, subgroupValueName, tolerance } from "./words.ts";

/**
 * The evaluation as one self-contained HTML file: inline SVG charts and inline CSS, no script,
 * no font or stylesheet to fetch, so it opens the same offline, in a mail attachment or in print.
 */
export async function renderEvaluationReport(report: EvaluationReport): Promise<string> {
  const sections = await Promise.all(report.models.map(modelSection));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ewis evaluation report</title>
<style>${styles}</style>
</head>
<body>
<main>
<h1>ewis evaluation report</h1>
${overview(report)}
${sections.join("\n")}
</main>
</body>
</html>
`;
}

function overview(r: EvaluationReport): string {
  const tolerances = (Object.keys(r.tolerances) as (keyof typeof r.tolerances)[])
    .map((k) => `<li>${esc(metricWords[k])}: ${esc(tolerance(k, r.tolerances[k]))}</li>`)
    .join("");
  return `<dl class="meta">
<dt>ewis version</dt><dd>${esc(r.ewisVersion)}</dd>
<dt>History file</dt><dd><code>${esc(r.history.file)}</code></dd>
<dt>SHA-256</dt><dd><code class="hash">${esc(r.history.sha256)}</code></dd>
<dt>Bootstrap</dt><dd>${esc(int(r.bootstrap.replicates))} replicates, seed ${esc(r.bootstrap.seed)}</dd>
<dt>Minimum group size</dt><dd>${esc(int(r.minGroupSize))} students</dd>
<dt>Equity tolerances</dt><dd><ul class="inline">${tolerances}</ul></dd>
</dl>
<section class="howto">
<h2>How to read this</h2>
<p>Each model estimates, for every student, the risk of <em>missing</em> a milestone. It was trained on earlier
cohorts and is judged here on the most recent cohort whose outcomes are known, which it never saw.
<strong>AUC</strong> is the chance that a student who missed gets a higher risk than one who reached (0.5 is a coin toss,
1 is perfect); the interval in brackets is its 95 % bootstrap range. The <strong>Brier score</strong> is the mean squared gap
between predicted risk and what happened (lower is better). The ROC chart shows the trade-off between catching students
who will miss and flagging students who would have been fine; a simple rule whose point lies above the curve does better
than the model at that trade-off. The calibration chart checks that a predicted 30 % risk means about 30 % missed.
The equity table compares each group with everyone else; a ⚠ marks a gap larger than the tolerance above, and groups
smaller than the minimum size are not judged. A risk tier is a prompt to look, not a verdict on a child: it tells
staff where to start a conversation, never what a student can achieve.</p>
</section>
${summaryTable(r)}`;
}

async function modelSection(m: ModelEvaluation): Promise<string> {
  const [roc, calibration, fpr] = await Promise.all([rocChart(m), calibrationChart(m), fprBarChart(m)]);
  const verdicts = m.baselineVerdicts.length
    ? `<ul class="verdicts">${m.baselineVerdicts.map((v) => `<li>${esc(v)}</li>`).join("")}</ul>`
    : `<p class="verdicts ok">The model's curve is above every baseline's point.</p>`;
  const flags = equityFlags(m.equity);
  const skippedRace = m.equity.filter((s) => s.dimension === "race_ethnicity" && s.tooSmall).map((s) => subgroupValueName(s.dimension, s.value));
  return `<section class="model" id="${esc(modelId(m))}">
<h2>${esc(modelTitle(m))}</h2>
<dl class="meta">
<dt>Held-out cohort</dt><dd>${esc(m.cohort)} (trained on ${esc(m.trainedOn)})</dd>
<dt>Students</dt><dd>${esc(int(m.n))}</dd>
<dt>Missed the milestone</dt><dd>${esc(pct(m.missRate))}</dd>
<dt>AUC (95 % interval)</dt><dd>${esc(interval(m.auc))}</dd>
<dt>Brier score</dt><dd>${esc(num(m.brier))}</dd>
</dl>

<h3>Who gets flagged: the ROC curve</h3>
<p class="explain">The blue line shows every possible cut-point: further right flags more students who would have reached the
milestone, higher up catches more who missed it. Green points are the moderate and high tiers we use; orange points are
simple rules a district could use instead. The dashed diagonal is guessing.</p>
<figure class="chart roc">${roc}</figure>
${verdicts}
${flagTable(m)}

<h3>Does a predicted risk mean what it says? Calibration</h3>
<p class="explain">Students are split into ten equal groups by predicted risk. Each point compares the group's average
predicted risk with the share who actually missed; on the dashed line the two agree.</p>
<figure class="chart calibration">${calibration}</figure>
${tiersTable(m)}

<h3>Is it fair across groups? Equity</h3>
<p class="explain">Each group is compared with all other students. A false positive is a student flagged high who reached the
milestone; a false negative is a student who missed it without being flagged high. Calibration-in-the-large is the group's
mean predicted risk minus its observed miss rate (positive: the model overstates risk for that group).
${flags ? `<strong class="flag">${esc(flags)} gap${flags === 1 ? "" : "s"} beyond tolerance.</strong>` : "No gap is beyond tolerance."}</p>
${equityTable(m.equity)}
${
  fpr
    ? `<figure class="chart fpr">${await fpr}<figcaption>High-tier false-positive rate by ${esc(dimensionName("race_ethnicity").toLowerCase())}; the dashed line is the rate for all students.${
        skippedRace.length ? ` Not shown (too few students to judge): ${esc(skippedRace.join(", "))}.` : ""
      }</figcaption></figure>`
    : ""
}

<h3>Would adding race/ethnicity and gender as inputs change things?</h3>
${
  m.withDemographics
    ? `<p class="explain">The same model was refitted with race/ethnicity and gender as inputs, on the same cohorts. The figures
below let a state weigh any gain in accuracy against using those characteristics to score children.</p>${comparisonTables(m)}`
    : `<p class="explain">This comparison was not run for this model.</p>`
}
</section>`;
}

const styles = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #666; --rule: #ddd; --flag: #b71c1c; --flagbg: #fdecea; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1080px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 12px; font-size: 28px; }
h2 { margin: 36px 0 8px; font-size: 22px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { margin: 28px 0 6px; font-size: 17px; }
.model { break-before: page; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 16px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
ul.inline { margin: 0; padding: 0; list-style: none; }
code.hash { word-break: break-all; font-size: 13px; }
.howto { background: #f6f8fa; border-left: 4px solid #1f5fa8; padding: 4px 16px; margin: 16px 0; }
.howto h2 { border: 0; margin-top: 8px; font-size: 18px; }
.explain { max-width: 75ch; }
figure.chart { margin: 8px 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; max-width: 75ch; }
table { border-collapse: collapse; margin: 12px 0 20px; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--rule); padding: 5px 10px; text-align: right; vertical-align: top; }
th[scope="row"], thead th:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; font-weight: 600; vertical-align: bottom; }
.note { color: var(--muted); font-weight: normal; font-size: 12px; max-width: 40ch; }
td.flag, .flag { color: var(--flag); }
td.flag { background: var(--flagbg); font-weight: 700; }
td.flag .gap { font-weight: normal; font-size: 12px; }
tr.too-small, tr.too-small th { color: #999; font-style: italic; }
tr.too-small td[colspan] { text-align: left; }
.verdicts { color: #8a4b00; font-weight: 600; }
.verdicts.ok { color: #2e7d32; }
@media print { main { max-width: none; } }
`;
