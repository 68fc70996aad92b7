import { api, changeText, driverList, el, milestoneNames, pageHeader, percent, showError, tierBadge } from "./app.js";

pageHeader("Risk list");
const form = document.getElementById("filters");
const rows = document.getElementById("rows");
const more = document.getElementById("more");
const status = document.getElementById("status");
let cursor = null;

for (const [value, name] of Object.entries(milestoneNames)) document.getElementById("milestone").append(el("option", { value }, name));
for (let g = 1; g <= 12; g++) form.elements.grade.append(el("option", { value: String(g) }, `Grade ${g}`));

function query(extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.set(name, String(value));
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}

async function load(append) {
  const { status: code, body } = await api(`/students?${query(append && cursor ? { cursor } : {})}`);
  if (code !== 200) {
    showError(status, code === 403 ? "Your role sees rollups, not individual students." : body?.error?.message ?? "Could not load the list.");
    return;
  }
  document.getElementById("term").textContent = `— ${body.term.label} ${body.term.school_year}`;
  if (!append) rows.replaceChildren();
  for (const s of body.students) {
    rows.append(
      el(
        "tr",
        {},
        el("td", {}, el("a", { href: `student.html?id=${encodeURIComponent(s.student_id)}` }, s.student_id)),
        el("td", {}, s.grade),
        el("td", {}, s.school_id),
        el("td", {}, milestoneNames[s.milestone]),
        el("td", {}, percent(s.risk)),
        el("td", {}, tierBadge(s.tier)),
        el("td", {}, changeText[s.change]),
        el("td", {}, driverList(s.drivers)),
      ),
    );
  }
  cursor = body.next_cursor;
  more.hidden = cursor === null;
  status.textContent = `${rows.children.length} shown${cursor ? ", more available" : ""}`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  cursor = null;
  load(false);
});
more.addEventListener("click", () => load(true));

// A plain link cannot carry the token, so the CSV is fetched and saved from a blob.
document.getElementById("csv").addEventListener("click", async () => {
  const { status: code, body } = await api(`/students?${query()}`, { accept: "text/csv" });
  if (code !== 200) return showError(status, "Could not export the list.");
  const link = el("a", { href: URL.createObjectURL(body), download: "risk-list.csv" });
  document.body.append(link);
  link.click();
  link.remove();
});

const schools = await api("/schools");
if (schools.status === 200) {
  for (const s of schools.body.schools) document.getElementById("school").append(el("option", { value: s.school_id }, s.school_id));
}
load(false);
