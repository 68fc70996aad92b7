// @ts-check
import {
  api,
  apiError,
  byId,
  changeMark,
  el,
  milestoneName,
  fullName,
  requireSignIn,
  riskPercent,
  say,
  setUpHeader,
  subgroupValueName,
  subgroupWords,
  termName,
  tierBadge,
} from "./app.js";
import { showCasework } from "./casework.js";

/**
 * @typedef {import("./app.js").StudentAnswer} StudentAnswer
 * @typedef {import("./app.js").Score} Score
 */

/**
 * One student this term: where, the subgroups, a card per milestone with its drivers, the
 * indicator values behind them and the tier in every term. A student the token may not see
 * answers 404 like one that does not exist, and the page shows the message and nothing else.
 */
setUpHeader();
const message = byId("message", HTMLElement);
const panel = byId("student", HTMLElement);
const id = new URLSearchParams(location.search).get("id") ?? "";
const notFound = "No student with that ID in your schools this term";

/** @type {Readonly<Record<string, string>>} */
const indicatorWords = {
  attendance_rate: "Attendance this year",
  attendance_rate_prev: "Attendance last year",
  chronic_absence: "Chronic absence",
  iss_rate: "In-school suspensions",
  oss_rate: "Out-of-school suspensions",
  school_moves: "School moves",
  ever_retained: "Repeated a grade",
  overage: "Age for grade",
  ela_recent: "ELA score",
  ela_change: "ELA change",
  math_recent: "Math score",
  math_change: "Math change",
  courses_failed_prev: "Courses failed",
  course_fail_rate_prev: "Course failure rate",
  low_income: "Low income",
  ell: "English learner",
  former_ell: "Former English learner",
  sped: "IEP",
  homeless: "Homeless",
  foster_care: "Foster care",
};

/**
 * @param {string} caption
 * @param {(string | { text: string, num: boolean })[]} headings a heading, or one with `num` for a column of numbers
 * @param {Node[]} bodyRows
 */
const table = (caption, headings, bodyRows) =>
  el(
    "table",
    {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, headings.map((h) => (typeof h === "string" ? { text: h, num: false } : h)).map((h) => el("th", { scope: "col", class: h.num ? "num" : undefined }, h.text)))),
    el("tbody", {}, bodyRows),
  );

/** @type {Readonly<Record<string, string>>} */
const tierTitle = { low: "Low", moderate: "Moderate", high: "High" };

/**
 * The risk as a sentence a family can read: the tier, and the model's estimate as a count of
 * students in a hundred (a probability, said as what it means).
 * @param {Score} score
 */
function riskInWords(score) {
  const inHundred = Math.max(1, Math.min(99, Math.round(score.risk * 100)));
  return `${tierTitle[score.tier] ?? score.tier} risk: of 100 students with a record like this one, about ${inHundred} would not reach “${milestoneName(score.milestone)}”.`;
}

/** @param {Score} score */
function milestoneCard(score) {
  const headingId = `m-${score.milestone}`;
  return el(
    "section",
    { class: `card card-${score.tier}`, "aria-labelledby": headingId, dataset: { milestone: score.milestone } },
    el("h3", { id: headingId }, milestoneName(score.milestone)),
    score.prior ? el("p", { class: "prior" }, `Already decided: ${score.prior.text}.`) : null,
    score.scored_with
      ? el("p", { class: "muted" }, `Too few students in this state have been here to fit a model of its own: the risk is the ${milestoneName(score.scored_with)} model's.`)
      : null,
    el("p", { class: "risk" }, el("span", { class: "big" }, riskPercent(score.risk)), " risk of missing it"),
    el("p", { class: "risk-words" }, riskInWords(score)),
    el("p", { class: "badges" }, tierBadge(score.tier), " ", changeMark(score.change, score.previous_tier), score.previous_tier ? el("span", { class: "muted" }, ` (was ${score.previous_tier})`) : null),
    el("h4", {}, "What raises the risk"),
    score.drivers.length
      ? el("ul", { class: "drivers" }, score.drivers.map((d) => el("li", {}, d.text)))
      : el("p", { class: "muted" }, "No single indicator raises this risk noticeably."),
  );
}

/** @param {StudentAnswer} answer */
async function render({ term, student, scores, indicators, history }) {
  // The name is on the page, never in its title: titles go into the browser's history.
  document.title = `${student.student_id} · ewis`;
  byId("title", HTMLElement).textContent = student.name ? fullName(student.name) : `Student ${student.student_id}`;
  const facts = el(
    "dl",
    { class: "facts" },
    student.name ? el("div", {}, el("dt", {}, "Student ID"), el("dd", {}, student.student_id)) : null,
    student.name?.local_id ? el("div", {}, el("dt", {}, "Local ID"), el("dd", {}, student.name.local_id)) : null,
    el("div", {}, el("dt", {}, "School"), el("dd", {}, student.school_id)),
    el("div", {}, el("dt", {}, "District"), el("dd", {}, student.district_id)),
    el("div", {}, el("dt", {}, "Grade"), el("dd", {}, student.grade)),
    el("div", {}, el("dt", {}, "Term"), el("dd", {}, termName(term))),
  );
  const subgroups = el(
    "dl",
    { class: "facts subgroups" },
    Object.entries(student.subgroups).map(([dimension, value]) => el("div", {}, el("dt", {}, subgroupWords[dimension] ?? dimension), el("dd", {}, subgroupValueName(dimension, value)))),
  );
  const printed = new Intl.DateTimeFormat("en-US", { dateStyle: "long" }).format(new Date());
  const printButton = el("button", { type: "button" }, "Print profile");
  printButton.addEventListener("click", () => window.print());
  panel.replaceChildren(
    el("p", { class: "print-only printed" }, `Student profile for a family or support-team meeting · term ${termName(term)} (published ${term.finished_at.slice(0, 10)}) · printed ${printed}`),
    el("p", { class: "print-actions" }, printButton, el("span", { class: "muted" }, " a profile of this page for a family or support-team meeting, without the site's navigation")),
    facts,
    el("h2", {}, "Subgroups"),
    subgroups,
    el("h2", {}, "Milestones"),
    el("div", { class: "cards" }, scores.map(milestoneCard)),
    el("h2", {}, "Indicator values"),
    table(
      "The student's values behind the scores, this term",
      ["Indicator", "Value"],
      indicators.map((i) => el("tr", {}, el("th", { scope: "row" }, indicatorWords[i.indicator] ?? i.indicator), el("td", {}, i.text))),
    ),
    el("h2", {}, "Tier history"),
    table(
      "Risk and tier in every published term, within your schools",
      ["Term", "Milestone", "Grade", { text: "Risk", num: true }, "Tier"],
      history.map((h) =>
        el("tr", {}, el("td", {}, termName(h)), el("td", {}, milestoneName(h.milestone)), el("td", {}, h.grade), el("td", { class: "num" }, riskPercent(h.risk)), el("td", {}, tierBadge(h.tier))),
      ),
    ),
  );
  panel.hidden = false;
  const casework = el("div", { id: "casework", class: "casework" });
  panel.append(casework);
  /** @type {import("./app.js").MeAnswer} */
  const me = await api("/me");
  await showCasework(casework, student.student_id, me);
}

if (requireSignIn()) {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
    say(message, id === "" ? "No student ID given: open a student from the risk list." : notFound, "error");
  } else {
    try {
      await render(await api(`/students/${encodeURIComponent(id)}`));
    } catch (caught) {
      const error = apiError(caught);
      say(message, error.status === 404 ? notFound : error.status === 403 ? "Your role sees rollups, not individual students." : `Could not load this student: ${error.message}`, "error");
    }
  }
}
