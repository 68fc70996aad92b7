import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import { A, A1, A2, grants, newTestToken, portOf, quiet, root, type Who } from "../support/serviceFixture.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * The next term, on both stores: plans are assigned after spring 2026 is published, fall 2027
 * is published, and `/movement` counts how last term's students moved, with a plan and
 * without, by intervention; each number checked against the stores' own records.
 */
const history = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const runTerm = (db: string, year: string, term: string) => main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", models, "--db", db], quiet);

type Cell = Record<string, any>;

describe.each(storeKinds)("movement on the %s store", (kind) => {
  const maker = storeMaker(kind);
  let db: string;
  let stores: Stores;
  let server: Server;
  let base: string;
  const tokens = {} as Record<Who, string>;
  const mentored: string[] = [];
  let tutored: string;
  let startDay: string;

  const call = async (who: Who, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Cell };
  };

  beforeAll(async () => {
    db = await maker.fresh("movement");
    expect(await runTerm(db, "2026", "spring")).toBe(0);
    for (const [id, label] of [["mentoring", "Attendance mentoring"], ["tutoring", "Tutoring"]]) {
      expect(await main(["node", "ewis", "interventions", "add", "--db", db, "--id", id, "--label", label], quiet)).toBe(0);
    }
    stores = await openStores(db);
    for (const who of Object.keys(grants) as Who[]) tokens[who] = await newTestToken(stores.tokens, { name: `move ${who}`, ...grants[who] });
    server = await listen(createApp({ stores }), 0);
    base = `http://127.0.0.1:${portOf(server)}/api/v1`;
    const spring = (await stores.terms.latestTerm())!;
    startDay = spring.finished_at.slice(0, 10);
    const high = [...new Set((await stores.terms.riskList(spring.id, { school_id: A1, tier: "high" }, { all: true })).map((s) => s.student_id))];
    expect(high.length).toBeGreaterThan(40);
    const plan = (type: string) => ({ type, owner: "A. Rivera", goal: "attendance above 90 %", starts_on: startDay, planned_end: "2027-06-15", check_in_days: 14 });
    for (const id of high.slice(0, 36)) {
      expect((await call("counselor", `/students/${id}/plans`, plan("mentoring"))).status).toBe(201);
      mentored.push(id);
    }
    tutored = high[36];
    expect((await call("counselor", `/students/${tutored}/plans`, plan("tutoring"))).status).toBe(201);
    // Ended before spring was published: not a plan between the two terms.
    const ended = (await call("counselor", `/students/${high[37]}/plans`, { ...plan("tutoring"), starts_on: "2026-01-05", planned_end: "2026-03-01" })).body.plan;
    expect((await call("counselor", `/plans/${ended.id}/end`, { version: 1, on: "2026-03-01", outcome: "goal_met", note: "done" })).status).toBe(200);
    // Before fall is published, there is nothing to move to, and no tier since the plan began.
    expect((await call("counselor", `/students/${mentored[0]}/plans`)).body.plans[0].since_start).toBeNull();
    expect((await call("counselor", `/movement?place=school:${A1}`)).body.error.message).toMatch(/first published: there is no earlier term/);
    expect(await runTerm(db, "2027", "fall")).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stores?.close();
  });

  it("counts how last term's students moved, by the intervention they had in between, every number true or suppressed", async () => {
    const [spring, fall] = await stores.terms.listTerms();
    const answer = await call("counselor", `/movement?place=school:${A1}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      term: { id: fall.id },
      previous_term: { id: spring.id },
      plans_open_between: { from: spring.finished_at.slice(0, 10), to: fall.started_at.slice(0, 10) },
      suppression_threshold: fall.suppression_threshold,
    });
    expect(answer.body.descriptive_only).toMatch(/^Descriptive, not causal/);
    const scores = await stores.terms.riskList(fall.id, { school_id: A1 }, { all: true });
    const groupOf = (id: string) => (mentored.includes(id) ? "mentoring" : id === tutored ? "tutoring" : "none");
    const cells = answer.body.cells as Cell[];
    expect(answer.body.withheld_milestones).toEqual([]);
    // Rows: each previous tier by intervention group, and the students new to a milestone.
    for (const c of cells) expect(c.previous_tier === "new" ? c.intervention === "all" : ["none", "mentoring", "tutoring"].includes(c.intervention)).toBe(true);
    let shown = 0;
    for (const c of cells) {
      expect(c).toMatchObject({ scope: "school", school_id: A1 });
      const mine = scores.filter((s) => s.milestone === c.milestone && (c.previous_tier === "new" ? s.previous_tier === null : s.previous_tier === c.previous_tier && groupOf(s.student_id) === c.intervention));
      for (const [field, tier] of [["students", undefined], ["now_low", "low"], ["now_moderate", "moderate"], ["now_high", "high"]] as const) {
        const truth = mine.filter((s) => tier === undefined || s.tier === tier).length;
        if (c[field] === null) expect(c.suppressed).toContain(field);
        else {
          shown++;
          expect(c[field], `${c.milestone} ${c.previous_tier} ${c.intervention} ${field}`).toBe(truth);
          if (c[field] > 0) expect(c[field]).toBeGreaterThanOrEqual(fall.suppression_threshold);
        }
      }
    }
    expect(shown).toBeGreaterThan(0);
    // The one tutored student is never a number of their own.
    for (const c of cells.filter((c) => c.intervention === "tutoring")) expect(c.students).toBeNull();
    // The mentored students still at the school, high last term, are a group large enough to show.
    expect(cells.some((c) => c.intervention === "mentoring" && c.previous_tier === "high" && c.students !== null)).toBe(true);
  });

  it("keeps to the caller's rollup scope and reads no student", async () => {
    const before = (await stores.audit.trail(1))[0].id;
    expect((await call("district_admin", `/movement?place=district:${A}`)).status).toBe(200);
    expect((await call("state_admin", "/movement?place=state")).status).toBe(200);
    expect((await call("counselor", "/movement?place=state")).status).toBe(403);
    expect((await call("counselor", `/movement?place=school:${A2}`)).status).toBe(404);
    expect((await stores.audit.trail(1))[0].id).toBe(before);
    const spring = (await stores.terms.listTerms())[0];
    expect((await call("district_admin", `/movement?place=district:${A}&term=${spring.id}`)).status).toBe(404);
  });

  it("makes the state-wide tables off the event loop: the service answers meanwhile", async () => {
    const order: string[] = [];
    // The first coverage of this service makes the table; /health, asked just after, comes back first.
    const table = call("state_admin", "/coverage?place=state").then((r) => order.push(`coverage ${r.status}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const health = fetch(`${base}/health`).then((r) => order.push(`health ${r.status}`));
    await Promise.all([table, health]);
    expect(order).toEqual(["health 200", "coverage 200"]);
  });

  it("shows on a student's plan the tier they had when it began and the tier they have now", async () => {
    const [spring, fall] = await stores.terms.listTerms();
    const now = await stores.terms.riskList(fall.id, { school_id: A1 }, { all: true });
    const id = mentored.find((m) => now.some((s) => s.student_id === m))!;
    const plans = (await call("counselor", `/students/${id}/plans`)).body.plans as Cell[];
    expect(plans).toHaveLength(1);
    const since = plans[0].since_start;
    expect(since).toMatchObject({ then: { id: spring.id }, now: { id: fall.id } });
    const then = await stores.terms.riskList(spring.id, { school_id: A1 }, { all: true });
    for (const t of since.tiers) {
      expect(t.now).toBe(now.find((s) => s.student_id === id && s.milestone === t.milestone)!.tier);
      expect(t.then).toBe(then.find((s) => s.student_id === id && s.milestone === t.milestone)?.tier ?? null);
    }
    expect(since.tiers.some((t: Cell) => t.then === "high")).toBe(true);
  });
});
