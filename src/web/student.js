import { api, changeText, driverList, el, milestoneNames, pageHeader, percent, showError, tierBadge } from "./app.js";

pageHeader("Student");
const main = document.getElementById("student");
const id = new URLSearchParams(location.search).get("id") ?? "";
const { status, body } = await api(`/students/${encodeURIComponent(id)}`);

if (status === 404 || status === 400) {
  showError(main, "No student with that ID in your schools this term.");
} else if (status !== 200) {
  showError(main, status === 403 ? "Your role sees rollups, not individual students." : "Could not load this student.");
} else {
  const { student, scores, indicators, history, term } = body;
  const flags = Object.entries(student.subgroups)
    .filter(([, v]) => v !== "0" && v !== "unknown")
    .map(([k, v]) => (v === "1" ? k.replaceAll("_", " ") : `${k.replaceAll("_", " ")} ${v}`));
  main.replaceChildren(
    el("h1", {}, `Student ${student.student_id}`),
    el("p", {}, `Grade ${student.grade} at ${student.school_id} (${student.district_id}), ${term.label} ${term.school_year}. `, flags.length ? `Groups: ${flags.join(", ")}.` : ""),
    el("h2", {}, "Milestones"),
    el(
      "div",
      { class: "cards" },
      scores.map((s) =>
        el(
          "section",
          { class: "card" },
          el("h3", {}, milestoneNames[s.milestone]),
          el("p", {}, "Risk of missing: ", el("strong", {}, percent(s.risk)), " ", tierBadge(s.tier), " ", changeText[s.change]),
          el("p", {}, "What raises it:"),
          driverList(s.drivers),
        ),
      ),
    ),
    el("h2", {}, "Indicators"),
    el("ul", {}, indicators.map((i) => el("li", {}, i.text))),
    el("h2", {}, "Tier history"),
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Term"), el("th", { scope: "col" }, "Milestone"), el("th", { scope: "col" }, "Grade"), el("th", { scope: "col" }, "Risk"), el("th", { scope: "col" }, "Tier"))),
      el(
        "tbody",
        {},
        history.map((h) => el("tr", {}, el("td", {}, `${h.label} ${h.school_year}`), el("td", {}, milestoneNames[h.milestone]), el("td", {}, h.grade), el("td", {}, percent(h.risk)), el("td", {}, tierBadge(h.tier)))),
      ),
    ),
  );
}
