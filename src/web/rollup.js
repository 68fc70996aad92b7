// @ts-check
import {
  api,
  apiError,
  byId,
  el,
  milestoneName,
  milestoneWords,
  query,
  requireSignIn,
  say,
  selectOf,
  setUpHeader,
  sharePercent,
  subgroupValueName,
  subgroupWords,
  termName,
} from "./app.js";

/**
 * @typedef {import("./app.js").DistrictsAnswer} DistrictsAnswer
 * @typedef {import("./app.js").SchoolsAnswer} SchoolsAnswer
 * @typedef {"low" | "moderate" | "high"} Tier
 * @typedef {"n" | Tier} CountField
 */

/**
 * @typedef {import("./app.js").RollupAnswer["cells"][number]} Cell
 * @typedef {import("./app.js").RollupAnswer} Rollup
 * @typedef {{ value: string, label: string | null, path: string | undefined }} Place
 */

/**
 * What this page uses of Chart.js, loaded as a global script (`/vendor/chart.umd.min.js`).
 * @typedef {{ destroy(): void }} Chart
 * @typedef {{ dataset: { label: string }, parsed: { y: number } }} ChartTooltipItem
 * @typedef {new (canvas: HTMLCanvasElement, config: object) => Chart} ChartClass
 */
const chartClass = () => /** @type {typeof window & { Chart: ChartClass }} */ (window).Chart;

/**
 * The precomputed rollups of a place (a school, a district or the state) over all grades, by
 * subgroup: a table with every published number and "suppressed" where the store hid one, and
 * a stacked bar chart of tier shares for the groups whose shares are all published.
 */
setUpHeader();
const form = byId("choice", HTMLFormElement);
const message = byId("message", HTMLElement);
const result = byId("result", HTMLElement);
const table = byId("cells", HTMLTableElement);
/** @param {"place" | "milestone" | "dimension"} name */
const selectNamed = (name) => selectOf(form, name);
/** @type {{ key: Tier, label: string, colour: string }[]} */
const tiers = [
  { key: "low", label: "Low", colour: "#2f7d4a" },
  { key: "moderate", label: "Moderate", colour: "#d39a1c" },
  { key: "high", label: "High", colour: "#b3261e" },
];
/** @type {Chart | null} */
let chart = null;
/**
 * The place's cells for the chosen dimension and for everyone, all milestones, as last fetched.
 * @type {{ place: Place, dimension: string, body: Rollup, everyone: Rollup } | null}
 */
let loaded = null;
let generation = 0;

for (const [value, words] of Object.entries(subgroupWords)) selectNamed("dimension").append(el("option", { value }, value === "all" ? "None (everyone)" : words));
selectNamed("dimension").value = "low_income";

/**
 * Why a number is hidden, in words: it is small, or it would give a small one away. Terms
 * published before the reason was kept say only that it is suppressed.
 * @param {Cell} cell
 * @param {CountField} field
 * @param {number} threshold
 */
function suppressedMark(cell, field, threshold) {
  if (cell.suppressed_small === null) return el("span", { class: "suppressed", title: "hidden to protect privacy" }, "suppressed");
  if (cell.suppressed_small.includes(field)) {
    return el("span", { class: "suppressed", title: `fewer than ${threshold} students: hidden to protect privacy` }, `suppressed: under ${threshold}`);
  }
  return el("span", { class: "suppressed", title: `hidden so that a count of fewer than ${threshold} students cannot be worked out from it` }, "suppressed: protects a small count");
}

/**
 * A count with its share: "12 (34 %)", or the suppressed marker with its reason; never 0 for a hidden number.
 * @param {Cell} c
 * @param {Tier} field
 * @param {number} threshold
 */
function countCell(c, field, threshold) {
  const count = c[field];
  const share = c[/** @type {const} */ (`share_${field}`)];
  if (count === null) return el("td", { class: "num" }, suppressedMark(c, field, threshold));
  return el("td", { class: "num" }, `${count}`, share === null ? null : el("span", { class: "share" }, ` (${sharePercent(share)})`));
}

/** @param {number | null} v */
const pointsChange = (v) => (v === null ? el("span", { class: "muted", title: "nothing to compare" }, "—") : `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v * 100).toFixed(1)} pts`);

/**
 * @param {Cell} c
 * @param {number} threshold
 */
function cellRow(c, threshold) {
  return el(
    "tr",
    { dataset: { value: c.value } },
    el("th", { scope: "row" }, subgroupValueName(c.dimension, c.value)),
    el("td", { class: "num" }, c.n === null ? suppressedMark(c, "n", threshold) : c.n),
    countCell(c, "low", threshold),
    countCell(c, "moderate", threshold),
    countCell(c, "high", threshold),
    // A mean is hidden with its group's size, for the same reason.
    el("td", { class: "num" }, c.mean_risk === null ? suppressedMark(c, "n", threshold) : sharePercent(c.mean_risk)),
    el("td", { class: "num" }, pointsChange(c.mean_risk_change)),
    el("td", { class: "num" }, pointsChange(c.high_share_change)),
  );
}

/**
 * @param {Cell[]} cells
 * @param {string} dimension
 */
function drawChart(cells, dimension) {
  /** @param {Cell} c @param {Tier} tier */
  const share = (c, tier) => c[/** @type {const} */ (`share_${tier}`)];
  const drawn = cells.filter((c) => tiers.every((t) => share(c, t.key) !== null));
  const left = cells.filter((c) => !drawn.includes(c)).map((c) => subgroupValueName(c.dimension, c.value));
  const what = `Share of students in each tier${dimension === "all" ? "" : ` by ${subgroupWords[dimension].toLowerCase()}`}.`;
  byId("chart-note", HTMLElement).textContent =
    drawn.length === 0
      ? `${what} Nothing to chart: every group here has a suppressed tier count.`
      : what + (left.length ? ` Left out because some of their numbers are suppressed: ${left.join(", ")}.` : "");
  chart?.destroy();
  chart = null;
  const box = query(".chart-box", HTMLElement);
  box.hidden = drawn.length === 0;
  if (box.hidden) return;
  const canvas = byId("chart", HTMLCanvasElement);
  canvas.setAttribute("aria-label", "Stacked bar chart of tier shares; the same numbers are in the table above.");
  const Chart = chartClass();
  chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: drawn.map((c) => subgroupValueName(c.dimension, c.value)),
      // Every share of a drawn group is published (not null).
      datasets: tiers.map((t) => ({ label: t.label, data: drawn.map((c) => /** @type {number} */ (share(c, t.key)) * 100), backgroundColor: t.colour, maxBarThickness: 72 })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true },
        y: { stacked: true, min: 0, max: 100, ticks: { callback: (/** @type {number | string} */ v) => `${v} %` }, title: { display: true, text: "share of students" } },
      },
      plugins: { tooltip: { callbacks: { label: (/** @type {ChartTooltipItem} */ item) => `${item.dataset.label}: ${Math.round(item.parsed.y)} %` } } },
    },
  });
}

function render() {
  if (!loaded) return;
  const { place, dimension, body, everyone } = loaded;
  const present = Object.keys(milestoneWords).filter((m) => body.cells.some((c) => c.milestone === m));
  const select = selectNamed("milestone");
  const previous = select.value || new URLSearchParams(location.search).get("milestone");
  select.replaceChildren(...present.map((m) => el("option", { value: m }, milestoneName(m))));
  if (previous !== null && present.includes(previous)) select.value = previous;
  const milestone = select.value;
  history.replaceState(null, "", `?${new URLSearchParams({ place: place.value, milestone, dimension })}`);
  byId("term", HTMLElement).textContent = termName(body.term);
  if (!milestone) {
    result.hidden = true;
    say(message, "No rollups for this place this term.", "info");
    return;
  }
  say(message, "");
  const cells = body.cells.filter((c) => c.milestone === milestone && c.dimension === dimension);
  const all = everyone.cells.filter((c) => c.milestone === milestone && c.dimension === "all");
  byId("caption", HTMLElement).textContent = `${milestoneName(milestone)}, ${place.label}, all grades${dimension === "all" ? "" : `, by ${subgroupWords[dimension].toLowerCase()}`}`;
  const threshold = body.suppression_threshold;
  byId("rows", HTMLTableSectionElement).replaceChildren(...(dimension === "all" ? all : [...all, ...cells]).map((c) => cellRow(c, threshold)));
  byId("legend", HTMLElement).replaceChildren(
    `No number from fewer than ${threshold} students is shown. `,
    el("span", { class: "suppressed" }, `suppressed: under ${threshold}`),
    `: the number counts fewer than ${threshold} students (a group that small hides all its numbers, zeros too). `,
    el("span", { class: "suppressed" }, "suppressed: protects a small count"),
    ": the number itself is not small, but with the numbers shown beside it (tiers add up to their group, subgroups to everyone, schools to their district) it would give a small one away. ",
    "Changes are from last term, in percentage points; — where there is nothing to compare.",
  );
  drawChart(dimension === "all" ? all : [...all, ...cells], dimension);
  result.hidden = false;
}

async function load() {
  const mine = ++generation;
  const option = selectNamed("place").selectedOptions[0];
  if (!option) return;
  const place = { value: option.value, label: option.textContent, path: option.dataset.path };
  const dimension = selectNamed("dimension").value;
  table.setAttribute("aria-busy", "true");
  try {
    /** @type {[Rollup, Rollup | null]} */
    const [body, everyone] = await Promise.all([
      api(`${place.path}?grade=all&dimension=${dimension}`),
      dimension === "all" ? null : api(`${place.path}?grade=all&dimension=all`),
    ]);
    if (mine !== generation) return;
    loaded = { place, dimension, body, everyone: everyone ?? body };
    render();
  } catch (error) {
    if (mine !== generation) return;
    result.hidden = true;
    say(message, `Could not load the rollup: ${apiError(error).message}`, "error");
  }
  table.setAttribute("aria-busy", "false");
}

/** The places this token may see: the state (if it may), its districts and its schools. */
async function loadPlaces() {
  /** @type {[boolean, DistrictsAnswer, SchoolsAnswer]} */
  const [state, districts, schools] = await Promise.all([
    api("/state/rollup?grade=all&dimension=all").then(
      () => true,
      () => false,
    ),
    api("/districts"),
    api("/schools"),
  ]);
  const select = selectNamed("place");
  if (state) select.append(el("option", { value: "state", dataset: { path: "/state/rollup" } }, "State"));
  /** @param {string} label @param {HTMLOptionElement[]} options */
  const group = (label, options) => options.length && select.append(el("optgroup", { label }, options));
  group(
    "Districts",
    districts.districts.map((d) => el("option", { value: `district:${d.district_id}`, dataset: { path: `/districts/${encodeURIComponent(d.district_id)}/rollup` } }, `District ${d.district_id}`)),
  );
  group(
    "Schools",
    schools.schools.map((s) => el("option", { value: `school:${s.school_id}`, dataset: { path: `/schools/${encodeURIComponent(s.school_id)}/rollup` } }, `School ${s.school_id}`)),
  );
}

selectNamed("place").addEventListener("change", load);
selectNamed("dimension").addEventListener("change", load);
selectNamed("milestone").addEventListener("change", render);
form.addEventListener("submit", (event) => event.preventDefault());

if (requireSignIn()) {
  try {
    await loadPlaces();
    const wanted = new URLSearchParams(location.search);
    for (const name of /** @type {const} */ (["place", "dimension"])) {
      const value = wanted.get(name);
      if (value !== null && [...selectNamed(name).options].some((o) => o.value === value)) selectNamed(name).value = value;
    }
    if (selectNamed("place").options.length === 0) {
      say(message, "No places in your scope this term.", "info");
      table.setAttribute("aria-busy", "false");
    }
    else await load();
  } catch (error) {
    say(message, `Could not load your places: ${apiError(error).message}`, "error");
  }
}
