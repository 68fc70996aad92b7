// @ts-check
import { api, apiError, el, milestoneName, say, termName, tierBadge } from "./app.js";

/**
 * The student page's casework: the student's intervention plans with their history, and the
 * notes the reader's role may read; for the roles that write, the forms to assign a plan,
 * record a check-in, end a plan and add a note. Every change names the plan's version: one
 * made meanwhile by someone else is refused by the server, and the section is read again.
 *
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").plansResponse>} PlansAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").notesResponse>} NotesAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").interventionsResponse>} InterventionsAnswer
 * @typedef {PlansAnswer["plans"][number]} PlanWithHistory
 * @typedef {import("./app.js").MeAnswer} MeAnswer
 */

/** @type {Readonly<Record<string, string>>} */
const outcomeWords = { goal_met: "goal met", partly_met: "goal partly met", not_met: "goal not met", discontinued: "discontinued", moved_away: "student moved away" };
/** @type {Readonly<Record<string, string>>} */
const eventWords = { assigned: "assigned", checked_in: "checked in", changed: "changed", ended: "ended" };

const today = () => new Date().toISOString().slice(0, 10);

/**
 * A labelled field: `<label for>` and the control, in one `.field`.
 * @param {string} id
 * @param {string} label
 * @param {HTMLElement} control
 */
function field(id, label, control) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control);
}

/**
 * A form whose submit posts its fields; the answer is handed to `done`, a refusal said in `status`.
 * @param {string} label the form's accessible name
 * @param {HTMLElement[]} fields
 * @param {string} button
 * @param {(form: HTMLFormElement) => Promise<void>} submit
 */
function form(label, fields, button, submit) {
  const f = el("form", { class: "casework-form screen-only", "aria-label": label }, fields, el("div", { class: "buttons" }, el("button", { type: "submit" }, button)));
  f.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submitButton = /** @type {HTMLButtonElement} */ (f.querySelector("button[type=submit]"));
    submitButton.disabled = true;
    try {
      await submit(f);
    } finally {
      submitButton.disabled = false;
    }
  });
  return f;
}

/**
 * A form control's value by name.
 * @param {HTMLFormElement} f
 * @param {string} name
 */
const valueOf = (f, name) => {
  const control = f.elements.namedItem(name);
  return control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement ? control.value.trim() : "";
};

/**
 * Shows the casework of one student into `root`, and again after every change.
 * @param {HTMLElement} root
 * @param {string} studentId
 * @param {MeAnswer} me
 */
export async function showCasework(root, studentId, me) {
  const writes = me.role === "counselor" || me.role === "school_admin" || me.role === "district_admin";
  const restricted = me.role === "counselor" || me.role === "school_admin";
  const status = el("p", { class: "message", role: "status" });
  status.hidden = true;
  const path = `/students/${encodeURIComponent(studentId)}`;
  /** @type {InterventionsAnswer["interventions"]} */
  let catalog = [];

  /**
   * Posts a change and reads the section again; a 409 says someone else changed it meanwhile.
   * @param {string} to
   * @param {unknown} body
   * @param {string} done what to say once it is recorded
   */
  async function post(to, body, done) {
    try {
      await api(to, { post: body });
      await draw();
      say(status, done);
    } catch (caught) {
      const error = apiError(caught);
      if (error.status === 409) {
        await draw();
        say(status, "Someone else changed this plan since you opened it. It has been read again: check it, then make your change.", "error");
      } else say(status, `Not recorded: ${error.message}`, "error");
    }
  }

  /** @param {PlanWithHistory} plan */
  function planCard(plan) {
    const type = catalog.find((t) => t.id === plan.type_id)?.label ?? plan.type_id;
    const state = plan.ended_on ? `ended ${plan.ended_on}${plan.outcome ? `: ${outcomeWords[plan.outcome] ?? plan.outcome}` : ""}` : "active";
    const due = plan.next_check_in_due
      ? el("p", { class: plan.check_in_overdue ? "due overdue" : "due" }, `Next check-in due ${plan.next_check_in_due}`, plan.check_in_overdue ? " (overdue)" : "")
      : null;
    const history = el(
      "ol",
      { class: "history" },
      plan.history.map((e) => {
        const note = typeof e.detail.note === "string" && e.detail.note ? `: ${e.detail.note}` : "";
        return el("li", {}, `${e.at.slice(0, 10)} · ${eventWords[e.kind] ?? e.kind} by ${e.by}${note}`);
      }),
    );
    // Where the student stood in the last term before the plan began, and where they stand now.
    const since = plan.since_start
      ? el(
          "div",
          { class: "since-start" },
          el("h4", {}, `Since the plan began: ${termName(plan.since_start.then)} to ${termName(plan.since_start.now)}`),
          el(
            "ul",
            {},
            plan.since_start.tiers.map((t) =>
              el("li", { dataset: { milestone: t.milestone } }, `${milestoneName(t.milestone)}: `, t.then ? tierBadge(t.then) : "not scored", " → ", tierBadge(t.now)),
            ),
          ),
        )
      : null;
    const forms = [];
    if (writes && !plan.ended_on) {
      const n = plan.id;
      forms.push(
        form(`Record a check-in on the ${type} plan`, [
          field(`checkin-on-${n}`, "Check-in date", el("input", { type: "date", name: "on", value: today(), required: true })),
          field(`checkin-note-${n}`, "What happened", el("textarea", { name: "note", rows: 2, required: true, maxlength: 2000 })),
        ], "Record check-in", (f) => post(`/plans/${n}/check-ins`, { version: plan.version, on: valueOf(f, "on"), note: valueOf(f, "note") }, "Check-in recorded.")),
        form(`End the ${type} plan`, [
          field(`end-on-${n}`, "End date", el("input", { type: "date", name: "on", value: today(), required: true })),
          field(`end-outcome-${n}`, "Outcome", el("select", { name: "outcome" }, Object.entries(outcomeWords).map(([value, words]) => el("option", { value }, words)))),
          field(`end-note-${n}`, "Note (optional)", el("textarea", { name: "note", rows: 2, maxlength: 2000 })),
        ], "End plan", (f) => post(`/plans/${n}/end`, { version: plan.version, on: valueOf(f, "on"), outcome: valueOf(f, "outcome"), note: valueOf(f, "note") }, "Plan ended.")),
      );
    }
    return el(
      "article",
      { class: "card plan", "aria-label": `${type} plan, ${state}` },
      el("h3", {}, type, el("span", { class: "muted" }, ` · ${state}`)),
      el("p", {}, `Owner ${plan.owner} · ${plan.starts_on} to ${plan.planned_end} · a check-in every ${plan.check_in_days} days`),
      el("p", {}, `Goal: ${plan.goal}`),
      due,
      since,
      el("h4", {}, "History"),
      history,
      forms,
    );
  }

  async function draw() {
    /** @type {[PlansAnswer, NotesAnswer, InterventionsAnswer]} */
    const [plans, notes, interventions] = await Promise.all([api(`${path}/plans`), api(`${path}/notes`), api("/interventions")]);
    catalog = interventions.interventions;
    const open = catalog.filter((t) => t.retired_at === null);
    const assign =
      writes && open.length > 0
        ? form("Assign an intervention", [
            field("plan-type", "Intervention", el("select", { name: "type" }, open.map((t) => el("option", { value: t.id }, t.label)))),
            field("plan-owner", "Owner", el("input", { name: "owner", value: me.name, required: true, maxlength: 100 })),
            field("plan-goal", "Goal", el("input", { name: "goal", required: true, maxlength: 500 })),
            field("plan-start", "Starts", el("input", { type: "date", name: "starts_on", value: today(), required: true })),
            field("plan-end", "Planned end", el("input", { type: "date", name: "planned_end", required: true })),
            field("plan-every", "Check in every (days)", el("input", { type: "number", name: "check_in_days", value: 14, min: 1, max: 90, required: true })),
          ], "Assign", (f) =>
            post(
              `${path}/plans`,
              { type: valueOf(f, "type"), owner: valueOf(f, "owner"), goal: valueOf(f, "goal"), starts_on: valueOf(f, "starts_on"), planned_end: valueOf(f, "planned_end"), check_in_days: Number(valueOf(f, "check_in_days")) },
              "Plan assigned.",
            ))
        : null;
    const noteForm = writes
      ? form("Add a note", [
          field("note-text", "Note", el("textarea", { name: "text", rows: 3, required: true, maxlength: 5000 })),
          field("note-kind", "Who may read it", el("select", { name: "kind" }, el("option", { value: "general" }, "Everyone who works with this student"), restricted ? el("option", { value: "restricted" }, "Restricted: counselors and school admins only") : null)),
        ], "Add note", (f) => post(`${path}/notes`, { kind: valueOf(f, "kind"), text: valueOf(f, "text") }, "Note added."))
      : null;
    const parts = [
      el("h2", { id: "plans-heading" }, "Interventions"),
      status,
      plans.plans.length ? el("div", { class: "plans" }, plans.plans.map(planCard)) : el("p", { class: "muted" }, "No intervention plan yet."),
      assign ? el("h3", { class: "screen-only" }, "Assign an intervention") : null,
      assign,
      el(
        "section",
        { class: "screen-only", "aria-labelledby": "notes-heading" },
        el("h2", { id: "notes-heading" }, "Notes"),
        notes.notes.length
          ? el("ul", { class: "notes" }, notes.notes.map((n) => el("li", {}, el("p", { class: "muted" }, `${n.written_at.slice(0, 10)} · ${n.kind === "restricted" ? "Restricted · " : ""}${n.written_by}`), el("p", {}, n.text))))
          : el("p", { class: "muted" }, "No notes yet."),
        notes.restricted_not_shown > 0 ? el("p", { class: "muted" }, `${notes.restricted_not_shown} restricted note${notes.restricted_not_shown === 1 ? " is" : "s are"} not shown to your role.`) : null,
        noteForm,
      ),
    ];
    root.replaceChildren(...parts.filter((p) => p !== null));
  }

  try {
    await draw();
  } catch (caught) {
    root.replaceChildren(el("p", { class: "message", role: "alert" }, `Could not load the interventions and notes: ${apiError(caught).message}`));
  }
}
