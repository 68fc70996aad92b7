import type { Server } from "node:http";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import { A, A1, A2, grants, newTestToken, portOf, root, type Who } from "../support/serviceFixture.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * Casework through the API, on both stores: who may write, scope (a write outside it is a 404),
 * a change made against an old version refused (409) and nothing lost, restricted notes read
 * only by the roles closest to the student, and every write and every read of notes audited.
 */
const history = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");

describe.each(storeKinds)("casework on the %s store", (kind) => {
  const maker = storeMaker(kind);
  let stores: Stores;
  let server: Server;
  let base: string;
  const tokens = {} as Record<Who | "other_counselor", string>;
  let inA1: string;
  let inA2: string;
  let aheadMs = 0;

  beforeAll(async () => {
    const db = await maker.fresh("casework");
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", db], () => {})).toBe(0);
    expect(await main(["node", "ewis", "interventions", "add", "--db", db, "--id", "mentoring", "--label", "Attendance mentoring"], () => {})).toBe(0);
    expect(await main(["node", "ewis", "interventions", "add", "--db", db, "--id", "tutoring", "--label", "Tutoring"], () => {})).toBe(0);
    expect(await main(["node", "ewis", "interventions", "retire", "--db", db, "--id", "tutoring"], () => {})).toBe(0);
    stores = await openStores(db);
    for (const who of Object.keys(grants) as Who[]) tokens[who] = await newTestToken(stores.tokens, { name: `case ${who}`, ...grants[who] });
    tokens.other_counselor = await newTestToken(stores.tokens, { name: "case other counselor", role: "counselor", schools: [A2], districts: [], studentGrant: false });
    const term = (await stores.terms.latestTerm())!;
    inA1 = (await stores.terms.riskList(term.id, { school_id: A1, tier: "high" }, { all: true }, { limit: 1 }))[0].student_id;
    inA2 = (await stores.terms.riskList(term.id, { school_id: A2 }, { all: true }, { limit: 1 }))[0].student_id;
    server = await listen(createApp({ stores, now: () => new Date(Date.parse("2026-10-20T12:00:00.000Z") + aheadMs) }), 0);
    base = `http://127.0.0.1:${portOf(server)}/api/v1`;
  }, 180_000);

  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stores?.close();
  });

  const call = async (who: keyof typeof tokens, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const newPlan = { type: "mentoring", owner: "A. Rivera", goal: "attendance above 90 % by January", starts_on: "2026-10-01", planned_end: "2027-01-29", check_in_days: 14 };

  it("lets a counselor assign a plan, check in and end it, each step in its history and the audit trail", async () => {
    expect((await call("counselor", "/interventions")).body.interventions.map((t: { id: string }) => t.id)).toEqual(["mentoring", "tutoring"]);
    const made = await call("counselor", `/students/${inA1}/plans`, newPlan);
    expect(made.status).toBe(201);
    const plan = made.body.plan;
    // Begun 2026-10-01, a check-in every 14 days: due 10-15, overdue on the 20th.
    expect(plan).toMatchObject({ student_id: inA1, school_id: A1, district_id: A, version: 1, next_check_in_due: "2026-10-15", check_in_overdue: true, created_by: "case counselor (counselor)" });
    const checked = await call("counselor", `/plans/${plan.id}/check-ins`, { version: 1, on: "2026-10-19", note: "came 4 of 5 days" });
    expect(checked.status).toBe(200);
    expect(checked.body.plan).toMatchObject({ version: 2, last_check_in_on: "2026-10-19", next_check_in_due: "2026-11-02", check_in_overdue: false });
    const revised = await call("school_admin", `/plans/${plan.id}/revisions`, { version: 2, owner: "B. Chen" });
    expect(revised.body.plan).toMatchObject({ version: 3, owner: "B. Chen", goal: newPlan.goal });
    const ended = await call("counselor", `/plans/${plan.id}/end`, { version: 3, on: "2027-01-29", outcome: "goal_met", note: "94 % since October" });
    expect(ended.body.plan).toMatchObject({ version: 4, ended_on: "2027-01-29", outcome: "goal_met", next_check_in_due: null, check_in_overdue: false });
    expect((await call("counselor", `/plans/${plan.id}/check-ins`, { version: 4, on: "2027-02-01", note: "late" })).status).toBe(409);

    const listed = await call("district_admin", `/students/${inA1}/plans`);
    expect(listed.body.plans).toHaveLength(1);
    expect(listed.body.plans[0].history.map((e: { kind: string; by: string }) => `${e.kind} by ${e.by}`)).toEqual([
      "assigned by case counselor (counselor)",
      "checked_in by case counselor (counselor)",
      "changed by case school_admin (school_admin)",
      "ended by case counselor (counselor)",
    ]);
    expect(listed.body.plans[0].history[1].detail).toEqual({ on: "2026-10-19", note: "came 4 of 5 days" });
    const trail = (await stores.audit.trail(20)).map((e) => `${e.route} ${e.token_name} ${e.students.join(" ")}`);
    for (const route of ["POST /students/:id/plans", "POST /plans/:id/check-ins", "POST /plans/:id/revisions", "POST /plans/:id/end", "GET /students/:id/plans"]) {
      expect(trail.some((t) => t.startsWith(route) && t.endsWith(inA1)), route).toBe(true);
    }
  });

  it("refuses a change made against the version it read, so two people editing one plan never lose a change", async () => {
    const plan = (await call("counselor", `/students/${inA1}/plans`, newPlan)).body.plan;
    // Both read version 1; the school admin's check-in lands first.
    expect((await call("school_admin", `/plans/${plan.id}/check-ins`, { version: 1, on: "2026-10-10", note: "first" })).status).toBe(200);
    const late = await call("counselor", `/plans/${plan.id}/revisions`, { version: 1, goal: "overwrites?" });
    expect(late.status).toBe(409);
    expect(late.body.error).toEqual({ code: "conflict", message: `plan ${plan.id} was changed since you read it (it is at version 2); read it again, then make your change` });
    const now = (await call("counselor", `/students/${inA1}/plans`)).body.plans.find((p: { id: number }) => p.id === plan.id);
    expect(now).toMatchObject({ version: 2, goal: newPlan.goal, last_check_in_on: "2026-10-10" });
    expect(now.history.map((e: { kind: string }) => e.kind)).toEqual(["assigned", "checked_in"]);
    // Ten writes at once against one version: exactly one wins.
    const race = await Promise.all(Array.from({ length: 10 }, (_, k) => call(k % 2 ? "counselor" : "school_admin", `/plans/${plan.id}/check-ins`, { version: 2, on: "2026-10-11", note: `race ${k}` })));
    expect(race.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    const after = (await call("counselor", `/students/${inA1}/plans`)).body.plans.find((p: { id: number }) => p.id === plan.id);
    expect([after.version, after.history.length]).toEqual([3, 3]);
  });

  it("answers a write outside the caller's scope with a 404, refuses roles that do not write, and writes nothing", async () => {
    const before = await stores.casework.plansOf([inA1, inA2]);
    expect((await call("counselor", `/students/${inA2}/plans`, newPlan)).status).toBe(404);
    expect((await call("counselor", `/students/${inA2}/notes`, { kind: "general", text: "x" })).status).toBe(404);
    expect((await call("counselor", "/students/S99999999/plans", newPlan)).status).toBe(404);
    expect((await call("state_admin", `/students/${inA1}/plans`, newPlan)).status).toBe(403);
    expect((await call("state_admin_granted", `/students/${inA1}/plans`, newPlan)).status).toBe(403);
    // Another school's plan is as if it did not exist, for reading and changing.
    const theirs = (await call("other_counselor", `/students/${inA2}/plans`, newPlan)).body.plan;
    expect((await call("counselor", `/plans/${theirs.id}/check-ins`, { version: 1, on: "2026-10-10", note: "x" })).status).toBe(404);
    expect((await call("counselor", `/students/${inA2}/plans`)).status).toBe(404);
    expect((await call("district_admin", `/students/${inA2}/plans`)).body.plans.map((p: { id: number }) => p.id)).toEqual([theirs.id]);
    expect((await call("counselor", `/students/${inA1}/plans`, { ...newPlan, type: "tutoring" })).body.error.message).toMatch(/^type: "tutoring" was retired from the catalog on \d{4}-\d\d-\d\d$/);
    expect((await call("counselor", `/students/${inA1}/plans`, { ...newPlan, planned_end: "2026-09-01" })).body.error.message).toBe("planned_end: must not be before starts_on");
    expect((await call("counselor", `/students/${inA1}/plans`, { ...newPlan, starts_on: "2026-02-30" })).body.error.message).toBe("starts_on: must be a date, YYYY-MM-DD");
    expect((await call("counselor", `/students/${inA1}/plans`, { ...newPlan, colour: "blue" })).body.error.message).toBe("colour: unknown parameter");
    const now = await stores.casework.plansOf([inA1, inA2]);
    expect(now.length).toBe(before.length + 1); // only the other counselor's own plan
  });

  it("shows restricted notes only to counselors and school admins, tells the others they exist, and audits every read", async () => {
    expect((await call("counselor", `/students/${inA1}/notes`, { kind: "general", text: "met with the family" })).status).toBe(201);
    expect((await call("counselor", `/students/${inA1}/notes`, { kind: "restricted", text: "a health matter" })).status).toBe(201);
    expect((await call("district_admin", `/students/${inA1}/notes`, { kind: "restricted", text: "x" })).status).toBe(403);
    const kinds = async (who: Who) => {
      const { body } = await call(who, `/students/${inA1}/notes`);
      return [body.notes.map((n: { kind: string; text: string }) => `${n.kind}: ${n.text}`), body.restricted_not_shown];
    };
    expect(await kinds("counselor")).toEqual([["restricted: a health matter", "general: met with the family"], 0]);
    expect(await kinds("school_admin")).toEqual([["restricted: a health matter", "general: met with the family"], 0]);
    expect(await kinds("district_admin")).toEqual([["general: met with the family"], 1]);
    expect(await kinds("state_admin_granted")).toEqual([["general: met with the family"], 1]);
    expect((await call("state_admin", `/students/${inA1}/notes`)).status).toBe(403);
    const reads = (await stores.audit.trail(10)).filter((e) => e.route === "GET /students/:id/notes");
    expect(reads.map((e) => e.token_name).slice(0, 4)).toEqual(["case state_admin_granted", "case district_admin", "case school_admin", "case counselor"]);
  });
  it("answers as the OpenAPI document says, for every casework route, errors included", async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content: { "application/json": { schema: { $ref: string } } } }> }>> };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, "openapi.json");
    const holds = (path: string, method: "get" | "post", status: number, body: unknown) => {
      const ref = doc.paths[path][method].responses[String(status)].content["application/json"].schema.$ref;
      const validate = ajv.getSchema(`openapi.json${ref}`)!;
      expect(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };
    holds("/interventions", "get", 200, (await call("counselor", "/interventions")).body);
    const made = await call("counselor", `/students/${inA1}/plans`, newPlan);
    holds("/students/{id}/plans", "post", 201, made.body);
    holds("/plans/{id}/check-ins", "post", 200, (await call("counselor", `/plans/${made.body.plan.id}/check-ins`, { version: 1, on: "2026-10-12", note: "ok" })).body);
    const stale = await call("counselor", `/plans/${made.body.plan.id}/revisions`, { version: 1, goal: "x" });
    holds("/plans/{id}/revisions", "post", 409, stale.body);
    holds("/plans/{id}/end", "post", 200, (await call("counselor", `/plans/${made.body.plan.id}/end`, { version: 2, on: "2026-12-01", outcome: "discontinued" })).body);
    holds("/students/{id}/plans", "get", 200, (await call("counselor", `/students/${inA1}/plans`)).body);
    holds("/students/{id}/notes", "post", 201, (await call("counselor", `/students/${inA1}/notes`, { kind: "general", text: "called home" })).body);
    holds("/students/{id}/notes", "get", 200, (await call("district_admin", `/students/${inA1}/notes`)).body);
    holds("/students/{id}/notes", "post", 404, (await call("counselor", `/students/${inA2}/notes`, { kind: "general", text: "x" })).body);
  });
  it("shows each listed student's open plans and narrows the list to high risk with no plan, or a check-in past due", async () => {
    const list = async (query: string) => (await call("counselor", `/students?school=${A1}&tier=high&limit=500&${query}`)).body;
    const all = await list("");
    const open = (await stores.casework.openPlansIn({ all: false, districts: [], schools: [A1] })).map((p) => p.student_id);
    expect(open).toContain(inA1);
    // The plans of the page: afresh on every request, though the page itself is kept.
    expect(all.plans[inA1]).toMatchObject({ active_plans: expect.any(Number), check_in_overdue: expect.any(Boolean) });
    for (const id of Object.keys(all.plans)) expect(open).toContain(id);
    const none = await list("casework=no_active_plan");
    const ids = (body: Record<string, any>) => [...new Set((body.students as { student_id: string }[]).map((s) => s.student_id))];
    expect(ids(none)).toEqual(ids(all).filter((id) => !open.includes(id)));
    expect(none.plans).toEqual({});
    // Due 14 days after the start or the last check-in; the service's clock is 2026-10-20.
    const overdue = await list("casework=check_in_overdue");
    const due = (await stores.casework.openPlansIn({ all: false, districts: [], schools: [A1] })).filter((p) => (p.last_check_in_on ?? p.starts_on) < "2026-10-06").map((p) => p.student_id);
    expect(ids(overdue)).toEqual(ids(all).filter((id) => due.includes(id)));
    expect(Object.values(overdue.plans).every((p) => (p as { check_in_overdue: boolean }).check_in_overdue)).toBe(true);
    // A fresh plan shows at once on the kept page.
    const another = ids(none)[0];
    await call("counselor", `/students/${another}/plans`, newPlan);
    expect((await list("")).plans[another]).toEqual({ active_plans: 1, next_check_in_due: "2026-10-15", check_in_overdue: true });
    expect(ids(await list("casework=no_active_plan"))).not.toContain(another);
  });
  it("exports every plan in scope as CSV, audited as a read of every student on it", async () => {
    const csv = async (who: Who) => {
      const response = await fetch(`${base}/plans`, { headers: { authorization: `Bearer ${tokens[who]}` } });
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      return (await response.text()).trim().split("\n");
    };
    const district = await csv("district_admin");
    expect(district[0]).toBe("plan_id,student_id,first_name,last_name,district_id,school_id,intervention,owner,goal,starts_on,planned_end,check_in_days,last_check_in_on,next_check_in_due,check_in_overdue,ended_on,outcome,created_at,created_by");
    const all = await stores.casework.plansIn({ all: true });
    expect(district.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(all.filter((p) => p.district_id === A).map((p) => p.id));
    const school = await csv("counselor");
    expect(school.slice(1).every((l) => l.split(",")[5] === A1)).toBe(true);
    expect(school.length).toBeLessThan(district.length); // the other school's plan is not the counselor's
    const [audited] = await stores.audit.trail(1);
    expect(audited).toMatchObject({ route: "GET /plans (csv)", token_name: "case counselor" });
    expect(new Set(audited.students)).toEqual(new Set(school.slice(1).map((l) => l.split(",")[1])));
    expect((await fetch(`${base}/plans`, { headers: { authorization: `Bearer ${tokens.state_admin}` } })).status).toBe(403);
  });
  it("says how many high-risk students have a plan, by place and subgroup, suppressed as every rollup is", async () => {
    const term = (await stores.terms.latestTerm())!;
    const coverage = async (who: Who, place: string, extra = "") => call(who, `/coverage?place=${place}${extra}`);
    // Made at most every 5 minutes: step past that so this test's plans are counted.
    aheadMs += 6 * 60_000;
    const school = await coverage("counselor", `school:${A1}`, "&grade=all&dimension=all");
    expect(school.status).toBe(200);
    // A milestone this table could not protect beside the published rollups is withheld whole.
    const withheld = school.body.withheld_milestones as string[];
    expect((school.body.cells as { milestone: string }[]).some((c) => withheld.includes(c.milestone))).toBe(false);
    expect(school.body.cells.length).toBeGreaterThan(0);
    // One shown by place alone has no grade or subgroup cell anywhere.
    const flat = (await coverage("state_admin", "state")).body;
    for (const c of flat.cells as Record<string, string>[]) if (flat.places_only_milestones.includes(c.milestone)) expect([c.grade, c.dimension]).toEqual(["all", "all"]);
    const high = await stores.terms.riskList(term.id, { school_id: A1, tier: "high" }, { all: true });
    const open = new Set((await stores.casework.openPlansIn({ all: true })).map((p) => p.student_id));
    for (const cell of school.body.cells as Record<string, any>[]) {
      const mine = high.filter((s) => s.milestone === cell.milestone);
      if (cell.high_risk !== null) expect(cell.high_risk).toBe(mine.length);
      if (cell.with_plan !== null) expect(cell.with_plan).toBe(mine.filter((s) => open.has(s.student_id)).length);
      if (cell.high_risk !== null && cell.with_plan !== null && cell.without_plan !== null) expect(cell.with_plan + cell.without_plan).toBe(cell.high_risk);
      // Never a number from fewer students than the term's threshold.
      for (const field of ["high_risk", "with_plan", "without_plan"]) if (cell[field] !== null && cell[field] > 0) expect(cell[field]).toBeGreaterThanOrEqual(term.suppression_threshold);
    }
    const counted = (school.body.cells as Record<string, any>[]).filter((c) => c.with_plan !== null && c.with_plan > 0);
    const planned = high.filter((s) => open.has(s.student_id));
    expect(planned.length).toBeGreaterThan(0);
    // Subgroup cells are suppressed like rollups: a small one names its hidden fields.
    const bySubgroup = (await coverage("district_admin", `district:${A}`, "&grade=all&dimension=low_income")).body.cells as Record<string, any>[];
    expect(bySubgroup.length).toBeGreaterThan(0);
    for (const c of bySubgroup) expect(c.suppressed.length > 0).toBe(c.high_risk === null || c.with_plan === null || c.without_plan === null);
    expect(counted.every((c) => c.share_with_plan === c.with_plan / c.high_risk)).toBe(true);
    expect((await coverage("state_admin", "state")).status).toBe(200);
    expect((await coverage("counselor", "state")).status).toBe(403);
    expect((await coverage("counselor", `school:${A2}`)).status).toBe(404);
    expect((await coverage("counselor", "nowhere")).body.error.message).toBe("place: place must be state, district:<id> or school:<id>");
    // Reads no student: nothing in the audit trail.
    const before = (await stores.audit.trail(1))[0].id;
    await coverage("district_admin", `district:${A}`);
    expect((await stores.audit.trail(1))[0].id).toBe(before);
  });
});
