import { api, el, milestoneNames, pageHeader, percent, showError } from "./app.js";

pageHeader("Rollups");
const form = document.getElementById("filters");
const place = document.getElementById("place");
const tbody = document.getElementById("cells");
const status = document.getElementById("status");
let chart;

for (const [value, name] of Object.entries(milestoneNames)) document.getElementById("milestone").append(el("option", { value }, name));

// The places this token may see: the state, its districts, its schools.
if ((await api("/state/rollup?grade=all&dimension=all")).status === 200) place.append(el("option", { value: "/state/rollup" }, "State"));
const districts = await api("/districts");
for (const d of districts.body?.districts ?? []) place.append(el("option", { value: `/districts/${encodeURIComponent(d.district_id)}/rollup` }, `District ${d.district_id}`));
const schools = await api("/schools");
for (const s of schools.body?.schools ?? []) place.append(el("option", { value: `/schools/${encodeURIComponent(s.school_id)}/rollup` }, `School ${s.school_id}`));

const shown = (v) => (v === null ? el("span", { class: "suppressed", title: "hidden to protect privacy" }, "suppressed") : String(v));

async function load() {
  if (!place.value) return showError(status, "No places in your scope this term.");
  const params = new URLSearchParams({ grade: "all", milestone: form.elements.milestone.value, dimension: form.elements.dimension.value });
  const { status: code, body } = await api(`${place.value}?${params}`);
  if (code !== 200) return showError(status, body?.error?.message ?? "Could not load the rollup.");
  status.replaceChildren();
  document.getElementById("term").textContent = `— ${body.term.label} ${body.term.school_year}`;
  document.getElementById("legend").textContent =
    `"suppressed": fewer than ${body.suppression_threshold} students, or a number that would let one be worked out; hidden to protect privacy.`;
  const cells = body.cells.filter((c) => c.dimension === form.elements.dimension.value);
  tbody.replaceChildren(
    ...cells.map((c) =>
      el(
        "tr",
        {},
        el("td", {}, c.dimension === "all" ? "Everyone" : c.value),
        el("td", {}, shown(c.n)),
        el("td", {}, shown(c.low)),
        el("td", {}, shown(c.moderate)),
        el("td", {}, shown(c.high)),
        el("td", {}, c.share_high === null ? shown(null) : percent(c.share_high)),
        el("td", {}, c.mean_risk === null ? shown(null) : percent(c.mean_risk)),
        el("td", {}, c.mean_risk_change === null ? "–" : `${c.mean_risk_change > 0 ? "+" : ""}${(c.mean_risk_change * 100).toFixed(1)} pts`),
      ),
    ),
  );
  // The chart shows only groups whose three tier shares are all published.
  const drawn = cells.filter((c) => c.share_low !== null && c.share_moderate !== null && c.share_high !== null);
  const left = cells.length - drawn.length;
  document.getElementById("chart-note").textContent = left > 0 ? `${left} group(s) left out of the chart: some of their numbers are suppressed.` : "";
  chart?.destroy();
  chart = new window.Chart(document.getElementById("chart"), {
    type: "bar",
    data: {
      labels: drawn.map((c) => (c.dimension === "all" ? "Everyone" : c.value)),
      datasets: [
        { label: "Low", data: drawn.map((c) => c.share_low * 100), backgroundColor: "#52b788" },
        { label: "Moderate", data: drawn.map((c) => c.share_moderate * 100), backgroundColor: "#f4d35e" },
        { label: "High", data: drawn.map((c) => c.share_high * 100), backgroundColor: "#e63946" },
      ],
    },
    options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, max: 100, title: { display: true, text: "% of students" } } } },
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
load();
