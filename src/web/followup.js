// @ts-check
import { api, apiError, byId, el, milestoneName, milestoneWords, requireSignIn, say, selectOf, setUpHeader, sharePercent, subgroupValueName, subgroupWords, termName, tierBadge } from "./app.js";

/**
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").coverageResponse>} CoverageAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").movementResponse>} MovementAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").interventionsResponse>} InterventionsAnswer
 * @typedef {import("./app.js").MeAnswer} MeAnswer
 * @typedef {import("./app.js").DistrictsAnswer} DistrictsAnswer
 * @typedef {import("./app.js").SchoolsAnswer} SchoolsAnswer
 */

/**
 * Follow-up for a place: of its high-risk students, how many have a plan open (by subgroup),
 * and how last term's students moved, with a plan between the terms and without, by
 * intervention. Both tables are suppressed as every rollup is; the movement says, above its
 * table, that it describes and does not measure what plans did.
 */
setUpHeader();
const form = byId("choice", HTMLFormElement);
const message = byId("message", HTMLElement);
/** @param {"place" | "milestone" | "dimension"} name */
const selectNamed = (name) => selectOf(form, name);
/** @type {{ coverage: CoverageAnswer, movement: MovementAnswer | string, catalog: InterventionsAnswer["interventions"], label: string } | null} */
let loaded = null;
let generation = 0;

for (const [value, words] of Object.entries(subgroupWords)) selectNamed("dimension").append(el("option", { value }, value === "all" ? "None (everyone)" : words));

/** @param {string} threshold */
const hidden = (threshold) => el("span", { class: "suppressed", title: `hidden so that no count of fewer than ${threshold} students is shown or can be worked out` }, "suppressed");
/**
 * @param {number | null} n
 * @param {number} threshold
 */
const count = (n, threshold) => el("td", { class: "num" }, n === null ? hidden(String(threshold)) : n);

/** @param {string} intervention */
function groupName(intervention) {
  if (intervention === "all") return "—";
  if (intervention === "none") return "No plan";
  if (intervention === "several") return "More than one kind";
  return loaded?.catalog.find((t) => t.id === intervention)?.label ?? intervention;
}

function render() {
  if (!loaded) return;
  const { coverage, movement, label } = loaded;
  const present = Object.keys(milestoneWords).filter((m) => coverage.cells.some((c) => c.milestone === m) || (typeof movement !== "string" && movement.cells.some((c) => c.milestone === m)));
  const select = selectNamed("milestone");
  const previous = select.value;
  select.replaceChildren(...present.map((m) => el("option", { value: m }, milestoneName(m))));
  if (present.includes(previous)) select.value = previous;
  const milestone = select.value;
  const dimension = selectNamed("dimension").value;
  byId("term", HTMLElement).textContent = termName(coverage.term);
  say(message, milestone ? "" : "No high-risk student and no earlier term for this place.", "info");

  const threshold = coverage.suppression_threshold;
  const rows = coverage.cells.filter((c) => c.milestone === milestone && c.grade === "all" && (c.dimension === "all" || c.dimension === dimension));
  byId("coverage-caption", HTMLElement).textContent = `${milestoneName(milestone)}, ${label}, all grades${dimension === "all" ? "" : `, by ${subgroupWords[dimension].toLowerCase()}`}`;
  byId("coverage-rows", HTMLTableSectionElement).replaceChildren(
    ...rows.map((c) =>
      el(
        "tr",
        {},
        el("th", { scope: "row" }, c.dimension === "all" ? "All high-risk students" : subgroupValueName(c.dimension, c.value)),
        count(c.high_risk, threshold),
        count(c.with_plan, threshold),
        count(c.without_plan, threshold),
        el("td", { class: "num" }, c.share_with_plan === null ? el("span", { class: "muted" }, "—") : sharePercent(c.share_with_plan)),
      ),
    ),
  );
  const limits = coverage.withheld_milestones.includes(milestone)
    ? " This milestone is not shown: beside the published rollups its numbers could not be protected."
    : coverage.places_only_milestones.includes(milestone)
      ? " This milestone is shown for the place as a whole only: by grade or subgroup, beside the published rollups, its numbers could not be protected."
      : "";
  byId("coverage-note", HTMLElement).textContent = `Plans open now, counted ${new Date(coverage.computed_at).toLocaleString()} (recounted every few minutes). No number from fewer than ${threshold} students is shown, nor one that would give such a number away, alone or with the published rollups.${limits}`;
  byId("coverage-section", HTMLElement).hidden = !milestone || rows.length === 0 && !limits;

  const section = byId("movement-section", HTMLElement);
  if (typeof movement === "string") {
    byId("caveat", HTMLElement).textContent = movement;
    byId("movement-rows", HTMLTableSectionElement).replaceChildren();
    byId("movement-caption", HTMLElement).textContent = "";
    byId("movement-note", HTMLElement).textContent = "";
    section.hidden = false;
    return;
  }
  byId("caveat", HTMLElement).textContent = movement.descriptive_only;
  byId("movement-caption", HTMLElement).textContent = `${milestoneName(milestone)}, ${label}: from ${termName(movement.previous_term)} to ${termName(movement.term)}`;
  const tiers = ["high", "moderate", "low", "new"];
  const moved = movement.cells
    .filter((c) => c.milestone === milestone)
    .sort((a, b) => tiers.indexOf(a.previous_tier) - tiers.indexOf(b.previous_tier) || (a.intervention === "all" ? -1 : b.intervention === "all" ? 1 : groupName(a.intervention) < groupName(b.intervention) ? -1 : 1));
  const t = movement.suppression_threshold;
  byId("movement-rows", HTMLTableSectionElement).replaceChildren(
    ...moved.map((c) =>
      el(
        "tr",
        { dataset: { previous: c.previous_tier, intervention: c.intervention } },
        el("th", { scope: "row" }, c.previous_tier === "new" ? "new to it" : tierBadge(c.previous_tier)),
        el("td", {}, groupName(c.intervention)),
        count(c.students, t),
        count(c.now_low, t),
        count(c.now_moderate, t),
        count(c.now_high, t),
      ),
    ),
  );
  const withheld = movement.withheld_milestones.includes(milestone) ? " This milestone is not shown: beside the published rollups its numbers could not be protected." : "";
  byId("movement-note", HTMLElement).textContent = `Every student scored for this milestone this term, by the tier they had last term ("new": not scored for it then).${withheld} "Plan between the terms": a plan open at any time from ${movement.plans_open_between.from} to ${movement.plans_open_between.to}; a student with plans of more than one kind counts once, under "More than one kind". Suppressed as every rollup is.`;
  section.hidden = moved.length === 0 && !withheld;
}

async function load() {
  const mine = ++generation;
  const option = selectNamed("place").selectedOptions[0];
  if (!option) return;
  const place = option.value;
  try {
    /** @type {[CoverageAnswer, MovementAnswer | string, InterventionsAnswer]} */
    const [coverage, movement, catalog] = await Promise.all([
      api(`/coverage?place=${encodeURIComponent(place)}`),
      // The first published term has nothing to move from: say so where the table would be.
      api(`/movement?place=${encodeURIComponent(place)}`).catch((/** @type {unknown} */ e) => {
        const error = apiError(e);
        if (error.status === 404) return "No earlier term to compare with yet: how students moved is shown once the next term is published.";
        throw e;
      }),
      api("/interventions"),
    ]);
    if (mine !== generation) return;
    loaded = { coverage, movement, catalog: catalog.interventions, label: option.textContent ?? place };
    history.replaceState(null, "", `?${new URLSearchParams({ place })}`);
    render();
  } catch (error) {
    if (mine !== generation) return;
    byId("coverage-section", HTMLElement).hidden = true;
    byId("movement-section", HTMLElement).hidden = true;
    say(message, `Could not load follow-up: ${apiError(error).message}`, "error");
  }
}

async function loadPlaces() {
  /** @type {[MeAnswer, DistrictsAnswer, SchoolsAnswer]} */
  const [me, districts, schools] = await Promise.all([api("/me"), api("/districts"), api("/schools")]);
  const select = selectNamed("place");
  if (me.role === "state_admin") select.append(el("option", { value: "state" }, "State"));
  /** @param {string} label @param {HTMLOptionElement[]} options */
  const group = (label, options) => options.length && select.append(el("optgroup", { label }, options));
  group("Districts", districts.districts.map((d) => el("option", { value: `district:${d.district_id}` }, `District ${d.district_id}`)));
  group("Schools", schools.schools.map((s) => el("option", { value: `school:${s.school_id}` }, `School ${s.school_id}`)));
}

selectNamed("place").addEventListener("change", load);
selectNamed("dimension").addEventListener("change", render);
selectNamed("milestone").addEventListener("change", render);
form.addEventListener("submit", (event) => event.preventDefault());

if (requireSignIn()) {
  try {
    await loadPlaces();
    const wanted = new URLSearchParams(location.search).get("place");
    if (wanted !== null && [...selectNamed("place").options].some((o) => o.value === wanted)) selectNamed("place").value = wanted;
    if (selectNamed("place").options.length === 0) say(message, "No places in your scope this term.", "info");
    else await load();
  } catch (error) {
    say(message, `Could not load your places: ${apiError(error).message}`, "error");
  }
}
