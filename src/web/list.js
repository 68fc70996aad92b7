// @ts-check
import {
  api,
  apiError,
  attachmentName,
  byId,
  changeMark,
  el,
  listName,
  milestoneName,
  milestoneWords,
  requireSignIn,
  riskPercent,
  saveBlob,
  say,
  selectOf,
  setUpHeader,
  termName,
  tierBadge,
} from "./app.js";

/**
 * @typedef {import("./app.js").RiskListAnswer} RiskListAnswer
 * @typedef {import("./app.js").SchoolsAnswer} SchoolsAnswer
 * @typedef {import("./app.js").ListedScore} Score
 */

/**
 * A counselor's risk list for the latest term: filters, paging by the API's cursor, and the
 * same filtered list as CSV. The filters live in the address too, so going back from a student
 * returns to the same list.
 */
setUpHeader();
const form = byId("filters", HTMLFormElement);
const rows = byId("rows", HTMLTableSectionElement);
const more = byId("more", HTMLButtonElement);
const count = byId("count", HTMLElement);
const message = byId("message", HTMLElement);
const csvButton = byId("csv", HTMLButtonElement);
const table = byId("list", HTMLTableElement);
const nameSearch = byId("name", HTMLInputElement);
const filterNames = ["school", "milestone", "grade", "tier", "change", "casework", "sort"];
/** @param {string} name one of `filterNames` */
const filter = (name) => selectOf(form, name);

/** @type {string | null} */
let cursor = null;
let shown = 0;
/** Each load gets a number; an answer to an older one (the filters changed meanwhile) is dropped. */
let generation = 0;

for (const [value, words] of Object.entries(milestoneWords)) filter("milestone").append(el("option", { value }, words));
for (let grade = 1; grade <= 12; grade++) filter("grade").append(el("option", { value: grade }, `Grade ${grade}`));

/** The filters as query parameters, leaving out the defaults. */
function filterParams() {
  const params = new URLSearchParams();
  for (const name of filterNames) {
    const value = filter(name).value;
    if (value && !(name === "sort" && value === "risk_desc")) params.set(name, value);
  }
  return params;
}

/**
 * Asks for the list: by its address, or, when a name is searched for, by a POST whose body
 * carries the name with the other filters (a name never goes into an address).
 * @param {URLSearchParams} params the filters, and the cursor of the page wanted
 * @param {{ accept?: string, raw?: boolean }} [options]
 */
function askForList(params, options = {}) {
  const name = nameSearch.value.trim();
  if (!name) return api(`/students?${params}`, options);
  /** @type {Record<string, string | number>} */
  const body = { name };
  for (const [key, value] of params) body[key] = key === "grade" || key === "limit" ? Number(value) : value;
  return api("/students/search", { ...options, post: body });
}

/**
 * The student's open plans in words: how many, and the soonest check-in (said "overdue", not only coloured).
 * @param {RiskListAnswer["plans"][string] | undefined} p
 */
function planCell(p) {
  if (!p) return el("span", { class: "muted" }, "none");
  const count = p.active_plans === 1 ? "1 active" : `${p.active_plans} active`;
  return el("span", { class: p.check_in_overdue ? "overdue" : undefined }, count, p.next_check_in_due ? `, check-in ${p.check_in_overdue ? "overdue since" : "due"} ${p.next_check_in_due}` : "");
}

/**
 * @param {Score} s
 * @param {RiskListAnswer["plans"]} plans
 */
function studentRow(s, plans) {
  const drivers = s.drivers.length
    ? el("ul", { class: "drivers" }, s.drivers.map((d) => el("li", {}, d.text)))
    : el("span", { class: "muted" }, "no single indicator stands out");
  return el(
    "tr",
    {},
    el("th", { scope: "row" }, el("a", { href: `student.html?id=${encodeURIComponent(s.student_id)}` }, s.student_id)),
    el("td", {}, s.name ? listName(s.name) : "", s.name?.local_id ? el("span", { class: "prior muted" }, `local ID ${s.name.local_id}`) : null),
    el("td", {}, s.grade),
    el("td", { class: "nowrap" }, s.school_id),
    el(
      "td",
      { dataset: { milestone: s.milestone } },
      milestoneName(s.milestone),
      s.prior ? el("span", { class: "prior muted" }, s.prior.text) : null,
    ),
    el("td", { class: "num" }, riskPercent(s.risk)),
    el("td", {}, tierBadge(s.tier)),
    el("td", {}, changeMark(s.change, s.previous_tier)),
    el("td", {}, drivers),
    el("td", {}, planCell(plans[s.student_id])),
  );
}

/** @param {{ append?: boolean }} [options] `append`: the next page, below the rows shown */
async function load({ append = false } = {}) {
  const mine = ++generation;
  // A name searched for stays out of the address: addresses go into the browser's history.
  const params = filterParams();
  if (!append) history.replaceState(null, "", params.size ? `?${params}` : location.pathname);
  if (append && cursor) params.set("cursor", cursor);
  more.disabled = true;
  table.setAttribute("aria-busy", "true");
  say(message, "");
  /** @type {RiskListAnswer} */
  let page;
  try {
    page = await askForList(params);
  } catch (caught) {
    const error = apiError(caught);
    if (mine !== generation) return;
    say(message, error.status === 403 ? "Your role sees rollups, not individual students." : `Could not load the list: ${error.message}`, "error");
    if (error.status === 403) for (const part of [form, table, more, csvButton.parentElement]) if (part) part.hidden = true;
    more.disabled = false;
    table.setAttribute("aria-busy", "false");
    return;
  }
  if (mine !== generation) return;
  byId("term", HTMLElement).textContent = termName(page.term);
  if (!append) {
    rows.replaceChildren();
    shown = 0;
  }
  rows.append(...page.students.map((s) => studentRow(s, page.plans)));
  shown += page.students.length;
  cursor = page.next_cursor;
  more.hidden = cursor === null;
  more.disabled = false;
  table.setAttribute("aria-busy", "false");
  const scores = shown === 1 ? "1 score" : `${shown} scores`;
  count.textContent = shown === 0 ? "No students match these filters." : cursor ? `Showing the first ${scores}; more below.` : `Showing all ${scores}.`;
}

async function downloadCsv() {
  csvButton.disabled = true;
  say(message, "");
  try {
    /** @type {Response} */
    const response = await askForList(filterParams(), { accept: "text/csv", raw: true });
    const blob = await response.blob();
    saveBlob(blob, attachmentName(response, "risk-list.csv"));
  } catch (error) {
    say(message, `Could not export the list: ${apiError(error).message}`, "error");
  } finally {
    csvButton.disabled = false;
  }
}

form.addEventListener("change", () => load());
form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
form.addEventListener("reset", () => setTimeout(() => load()));
byId("became-high", HTMLButtonElement).addEventListener("click", () => {
  filter("tier").value = "high";
  filter("change").value = "up";
  load();
});
more.addEventListener("click", () => load({ append: true }));
csvButton.addEventListener("click", downloadCsv);

if (requireSignIn()) {
  try {
    /** @type {SchoolsAnswer} */
    const { schools } = await api("/schools");
    for (const s of schools) filter("school").append(el("option", { value: s.school_id }, s.school_id));
  } catch (error) {
    say(message, `Could not load your schools: ${apiError(error).message}`, "error");
  }
  const wanted = new URLSearchParams(location.search);
  for (const name of filterNames) {
    const value = wanted.get(name);
    if (value !== null && [...filter(name).options].some((o) => o.value === value)) filter(name).value = value;
  }
  await load();
}
