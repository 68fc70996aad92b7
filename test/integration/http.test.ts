import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { openApiPath } from "../../src/http/openapi.ts";
import { routes } from "../../src/http/routes.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import {
  matrixRequests,
  A,
  A1,
  A2,
  apiGet,
  B1,
  districtRollup,
  everyone,
  grants,
  listedSchools,
  listFilters,
  newTestToken,
  quiet,
  root,
  schoolRollup,
  startService,
  stateRollup,
  studentAccess,
  type Service,
  type Who,
} from "../support/serviceFixture.ts";

let service: Service;
let stores: Stores;
let base: string;
let tokens: Service["tokens"];
let students: Service["students"];
/** Every successful student-level read this suite makes, to hold the audit trail against. */
const studentReads: string[] = [];

async function get(path: string, who?: Who, headers: Record<string, string> = {}) {
  const answer = await apiGet(service, path, who, headers);
  const studentLevel = /^\/students(\/|\?|$)/.test(path);
  if (studentLevel && answer.status === 200) studentReads.push(path);
  return answer;
}

beforeAll(async () => {
  service = await startService("ewis-http-");
  ({ stores, base, tokens, students } = service);
});

afterAll(async () => {
  await service.close();
});

describe("access matrix", () => {
  it.each(everyone)("GET /students/:id as %s: in scope 200, out of scope 404, no grant 403", async (who) => {
    for (const [where, id] of Object.entries(students) as [keyof typeof students, string][]) {
      const { status, text } = await get(`/students/${id}`, who);
      expect(status, `${who} ${where}`).toBe(studentAccess[who][where]);
      if (status !== 200) expect(text).not.toContain(`"school_id"`);
    }
    expect((await get("/students/S99999999", who)).status).toBe(studentAccess[who].inA1 === 403 ? 403 : 404);
  });

  it.each(everyone)("GET /students as %s lists only students in scope, whatever the filter", async (who) => {
    for (const filter of listFilters) {
      const { status, body } = await get(`/students?limit=500${filter}`, who);
      const expected = listedSchools[who];
      if (expected === "forbidden") {
        expect(status).toBe(403);
        continue;
      }
      expect(status).toBe(200);
      const rows = (body as { students: { school_id: string; district_id: string }[] }).students;
      if (expected !== "all") for (const r of rows) expect(expected, `${who} ${filter}`).toContain(r.school_id);
      if (filter === "") expect(rows.length).toBeGreaterThan(0);
    }
  });

  it.each(everyone)("rollups as %s: schools, districts and the state by scope", async (who) => {
    for (const [school, status] of Object.entries(schoolRollup[who])) {
      const r = await get(`/schools/${school}/rollup`, who);
      expect(r.status, `${who} school ${school}`).toBe(status);
      if (status === 200) expect((r.body as { cells: { school_id: string }[] }).cells.every((c) => c.school_id === school)).toBe(true);
    }
    for (const [district, status] of Object.entries(districtRollup[who])) {
      expect((await get(`/districts/${district}/rollup`, who)).status, `${who} district ${district}`).toBe(status);
    }
    expect((await get("/state/rollup", who)).status).toBe(stateRollup[who]);
  });

  it.each(everyone)("GET /schools and /districts as %s show only places in scope", async (who) => {
    const schools = ((await get("/schools", who)).body as { schools: { school_id: string; district_id: string }[] }).schools;
    const districts = ((await get("/districts", who)).body as { districts: { district_id: string }[] }).districts.map((d) => d.district_id);
    const ids = schools.map((s) => s.school_id);
    if (grants[who].role === "state_admin") {
      expect(ids).toContain(B1);
      expect(districts).toEqual(["D0001", "D0002", "D0003", "D0004", "D0005"]);
    } else if (who === "district_admin") {
      expect(schools.every((s) => s.district_id === A)).toBe(true);
      expect(districts).toEqual([A]);
    } else {
      expect(ids).toEqual([A1]);
      expect(districts).toEqual([]);
    }
  });

  it("says who the caller is on /me, reading and auditing no student", async () => {
    const trailBefore = (await stores.audit.trail(1))[0]?.id ?? 0;
    const expected: Record<Who, { role: string; districts: string[]; schools: string[]; state: boolean; reads_students: boolean }> = {
      counselor: { role: "counselor", districts: [], schools: [A1], state: false, reads_students: true },
      school_admin: { role: "school_admin", districts: [], schools: [A1], state: false, reads_students: true },
      district_admin: { role: "district_admin", districts: [A], schools: [], state: false, reads_students: true },
      state_admin: { role: "state_admin", districts: [], schools: [], state: true, reads_students: false },
      state_admin_granted: { role: "state_admin", districts: [], schools: [], state: true, reads_students: true },
    };
    for (const who of everyone) {
      const r = await get("/me", who);
      expect(r.status, who).toBe(200);
      // A token's caller changes nothing a page could forge: no CSRF token to carry.
      expect(r.body).toEqual({ name: `test ${who}`, ...expected[who], signed_in_with: "token", csrf_token: null });
    }
    expect((await get("/me")).status).toBe(401);
    expect((await stores.audit.trail(1))[0]?.id ?? 0).toBe(trailBefore);
  });

  it("answers 401 without a token or with a wrong one, on every route but health and the document", async () => {
    for (const route of routes.filter((r) => !r.public)) {
      const path = route.path.replace(":id", route.path.startsWith("/students") ? students.inA1 : route.path.startsWith("/schools") ? A1 : route.path.startsWith("/plans") ? "1" : A);
      const method = (route.method ?? "get").toUpperCase();
      const send = (headers: Record<string, string>) =>
        fetch(`${base}/api/v1${path}`, { method, headers: { ...headers, ...(method === "POST" ? { "content-type": "application/json" } : {}) }, body: method === "POST" ? "{}" : undefined });
      expect((await send({})).status, `${method} ${path}`).toBe(401);
      const wrong = await send({ authorization: "Bearer ewis_not-a-real-token-at-all" });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: { code: "unauthorized", message: expect.stringMatching(/not valid/) } });
    }
    expect((await get("/health")).status).toBe(200);
    expect((await get("/terms", "counselor")).status).toBe(200);
  });
});

describe("a student who moved", () => {
  it("shows history only up to the term asked for, so an old term reveals nothing of where the student is now", async () => {
    const [spring, fall] = await stores.terms.listTerms();
    const fallSchools = new Map((await stores.terms.riskList(fall.id, {}, { all: true })).map((s) => [s.student_id, s.school_id]));
    const moved = (await stores.terms.riskList(spring.id, { school_id: A1 }, { all: true })).find((s) => fallSchools.has(s.student_id) && fallSchools.get(s.student_id) !== A1);
    expect(moved).toBeDefined();
    return (async () => {
      expect((await get(`/students/${moved!.student_id}`, "counselor")).status).toBe(404);
      const old = await get(`/students/${moved!.student_id}?term=${spring.id}`, "counselor");
      expect(old.status).toBe(200);
      const history = (old.body as { history: { term_id: number }[] }).history;
      expect(history.length).toBeGreaterThan(0);
      expect(history.every((h) => h.term_id === spring.id)).toBe(true);
      expect(old.text).not.toContain(fallSchools.get(moved!.student_id)!);
    })();
  });
});

describe("the risk list", () => {
  it("pages with a cursor through the whole list in risk order, with no row twice", async () => {
    const seen: string[] = [];
    let cursor: string | null = "";
    let last = Infinity;
    while (cursor !== null) {
      const { body } = await get(`/students?limit=40${cursor ? `&cursor=${cursor}` : ""}`, "school_admin");
      const page = body as { students: { student_id: string; milestone: string; risk: number }[]; next_cursor: string | null };
      for (const s of page.students) {
        expect(s.risk).toBeLessThanOrEqual(last);
        last = s.risk;
        seen.push(`${s.student_id}:${s.milestone}`);
      }
      cursor = page.next_cursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await get("/students?limit=500", "school_admin")).body as { students: unknown[] };
    expect(seen.length).toBe(all.students.length);
  });

  it("filters and sorts, and exports the same list as CSV", async () => {
    const high = (await get("/students?tier=high&milestone=early_literacy&sort=risk_asc&limit=500", "counselor")).body as {
      students: { tier: string; milestone: string; risk: number; drivers: { text: string }[] }[];
    };
    expect(high.students.length).toBeGreaterThan(0);
    expect(high.students.every((s) => s.tier === "high" && s.milestone === "early_literacy")).toBe(true);
    for (let k = 1; k < high.students.length; k++) expect(high.students[k].risk).toBeGreaterThanOrEqual(high.students[k - 1].risk);
    expect(high.students[0].drivers[0].text).toMatch(/[a-z]/);
    const csv = await get("/students?tier=high&milestone=early_literacy", "counselor", { accept: "text/csv" });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = csv.text.trim().split("\n");
    expect(lines[0]).toBe("student_id,school_year,term,district_id,school_id,grade,milestone,risk,tier,previous_tier,change,drivers,already_decided,scored_with,first_name,last_name,local_id");
    expect(lines.length - 1).toBe(high.students.length);
    expect((await get("/students?format=csv&limit=5", "counselor")).text.trim().split("\n").length).toBeGreaterThan(6);
  });

  it("shows a student's milestones, drivers, indicator values and tier history", async () => {
    const { body } = await get(`/students/${students.inA1}`, "counselor");
    const detail = body as { scores: { milestone: string }[]; indicators: { indicator: string; text: string }[]; history: { label: string }[] };
    expect(detail.scores.length).toBeGreaterThan(0);
    expect(detail.indicators.map((i) => i.indicator)).toContain("attendance_rate");
    expect(detail.history.map((h) => h.label)).toContain("fall");
  });
});

describe("malformed parameters", () => {
  const samples = (): Record<string, string> => ({
    "/students/:id/plans": `/students/${students.inA1}/plans`,
    "/students/:id/notes": `/students/${students.inA1}/notes`,
    "/students/:id": `/students/${students.inA1}`, "/districts/:id/rollup": `/districts/${A}/rollup`, "/schools/:id/rollup": `/schools/${A1}/rollup` });
  const bad: Record<string, string[]> = {
    "/students": ["grade=13", "grade=", "limit=0", "limit=501", "limit=ten", "term=abc", "milestone=reading", "tier=red", "change=sideways", "sort=name", "cursor=bm9wZQ", "format=xml", "school=" + "x".repeat(40)],
    "/students/:id": ["term=-1"],
    "/schools": ["term=x", `district=${"y".repeat(40)}`],
    "/districts": ["term=0"],
    "/state/rollup": ["grade=0", "dimension=shoe_size", "milestone=x"],
    "/districts/:id/rollup": ["grade=13", "dimension=x"],
    "/schools/:id/rollup": ["term=1.5"],
    "/me": [],
    "/terms": [],
    "/health": [],
    "/sign-in": [],
    "/interventions": [],
    "/plans": [],
    "/coverage": ["place=nowhere", "dimension=x", "grade=13"],
    "/movement": ["place=school:", "term=x", "milestone=reading"],
    "/students/:id/plans": [],
    "/students/:id/notes": [],
  };

  it.each(routes.filter((r) => (r.method ?? "get") === "get").map((r) => r.path))("%s rejects unknown and malformed parameters with a 400 naming them", async (path) => {
    const url = samples()[path] ?? path;
    const who: Who = path === "/state/rollup" ? "state_admin" : path.startsWith("/students") ? "district_admin" : "state_admin";
    const unknown = await get(`${url}${url.includes("?") ? "&" : "?"}colour=blue`, who);
    expect(unknown.status, url).toBe(400);
    expect(unknown.body).toEqual({ error: { code: "invalid_argument", message: expect.stringContaining("colour: unknown parameter") } });
    for (const query of bad[path]) {
      const r = await get(`${url}?${query}`, who);
      expect(r.status, `${url}?${query}`).toBe(400);
      const message = (r.body as { error: { message: string } }).error.message;
      expect(message, query).toMatch(new RegExp(query.split("=")[0]));
    }
  });

  it("/students/search rejects an unknown or malformed field of its body with a 400 naming it, and never the name", async () => {
    const cases: [unknown, string][] = [
      [{ name: "Ri", colour: "blue" }, "colour: unknown parameter"],
      [{}, "name: name is required"],
      [{ name: "   " }, "name: name must not be blank"],
      [{ name: 42 }, "name: name is required"],
      [{ name: "Ri", grade: 13 }, "grade: grade must be 1 to 12"],
      [{ name: "Ri", grade: "3" }, "grade: "],
      [{ name: "Ri", limit: 0 }, "limit: limit must be at least 1"],
      [{ name: "Ri", tier: "red" }, "tier: must be low, moderate or high"],
      [{ name: "Ri", cursor: "bm9wZQ" }, "cursor"],
    ];
    for (const [body, message] of cases) {
      const r = await fetch(`${base}/api/v1/students/search`, { method: "POST", headers: { authorization: `Bearer ${tokens.district_admin}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const answer = (await r.json()) as { error: { code: string; message: string } };
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(answer.error.message, JSON.stringify(body)).toContain(message);
      expect(answer.error.message).not.toContain("Ri,");
    }
    // Not JSON at all: the schema says what is missing.
    const text = await fetch(`${base}/api/v1/students/search`, { method: "POST", headers: { authorization: `Bearer ${tokens.district_admin}`, "content-type": "text/plain" }, body: "name=Rivera" });
    expect([text.status, ((await text.json()) as { error: { message: string } }).error.message]).toEqual([400, "name: name is required"]);
  });

  it("rejects a malformed student id in the path with a 400", async () => {
    for (const id of ["bad%20id", "x".repeat(33)]) {
      const r = await get(`/students/${id}`, "counselor");
      expect(r.status).toBe(400);
      expect((r.body as { error: { message: string } }).error.message).toMatch(/^id: /);
    }
  });
});

describe("the OpenAPI document", () => {
  it("documents exactly the routes the app serves", async () => {
    const doc = (await get("/openapi.json")).body as { openapi: string; paths: Record<string, { get: { parameters: { name: string }[] } }> };
    expect(doc.openapi).toBe("3.1.0");
    const app = createApp({ stores });
    const apiRouter = (app.router.stack as unknown as { name: string; handle: { stack: { route?: { path: string } }[] } }[]).find((l) => l.name === "router")!;
    const served = apiRouter.handle.stack.filter((l) => l.route).map((l) => openApiPath(l.route!.path));
    expect([...new Set(served)].sort()).toEqual(Object.keys(doc.paths).sort());
    expect(doc.paths["/students"].get.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["school", "grade", "milestone", "tier", "change", "sort", "cursor", "limit", "term", "format"]));
  });

  it("is a valid OpenAPI 3.1 document by a standard validator, with a schema for every answer", async () => {
    const doc = (await get("/openapi.json")).body as OpenApi;
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (status === "503" || response.content) expect(response.content?.["application/json"]?.schema ?? response.content?.["text/csv"]?.schema, `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
    expect(doc.paths["/students/search"].post!.requestBody.content["application/json"].schema).toMatchObject({ type: "object", required: ["name"], additionalProperties: false });
  });

  it("describes what the service really answers: every route, every holder, errors included", async () => {
    const doc = (await get("/openapi.json")).body as OpenApi;
    // The document as one schema: each response schema's $ref resolves inside it.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, "openapi.json");
    const check = (path: string, status: number, body: unknown) => {
      const route = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path.split("?")[0]))!;
      const ref = doc.paths[route].get.responses[String(status)].content!["application/json"].schema.$ref!;
      const validate = ajv.getSchema(`openapi.json${ref}`)!;
      expect(validate(body), `${path} (${status}): ${ajv.errorsText(validate.errors)}`).toBe(true);
    };
    let checked = 0;
    for (const { who, path, status } of matrixRequests(service)) {
      const r = await get(path, who);
      expect(r.status, `${who} ${path}`).toBe(status);
      check(path, status, r.body);
      checked++;
    }
    for (const path of ["/me", "/terms", "/students?limit=3&cursor=" + encodeURIComponent("not-a-cursor")]) {
      const r = await get(path, "counselor");
      check(path, r.status, r.body);
    }
    const health = await get("/health");
    check("/health", health.status, health.body);
    // The POST search, checked against its own operation.
    const searchRef = doc.paths["/students/search"].post!.responses["200"].content!["application/json"].schema.$ref!;
    const search = await fetch(`${base}/api/v1/students/search`, { method: "POST", headers: { authorization: `Bearer ${tokens.district_admin}`, "content-type": "application/json" }, body: JSON.stringify({ name: "a", limit: 3 }) });
    expect(search.status).toBe(200);
    studentReads.push("POST /students/search");
    const validateSearch = ajv.getSchema(`openapi.json${searchRef}`)!;
    expect(validateSearch(await search.json()), ajv.errorsText(validateSearch.errors)).toBe(true);
    const unauthorised = await get("/terms");
    check("/terms", 401, unauthorised.body);
    expect(checked).toBeGreaterThan(50);
  });
});

interface Operation {
  parameters: { name: string }[];
  requestBody: { content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, { get: Operation; post?: Operation }>;
}

describe("protections", () => {
  it("sends security headers and never a stack trace", async () => {
    const r = await get("/nowhere", "counselor");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: "not_found", message: "no route GET /nowhere" } });
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(r.headers.get("x-powered-by")).toBeNull();
  });

  it("refuses a body over the size limit", async () => {
    const r = await fetch(`${base}/api/v1/students`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ x: "a".repeat(20_000) }) });
    expect(r.status).toBe(413);
    expect((await r.json()).error.code).toBe("entity.too.large");
  });

  it("rate-limits per token", async () => {
    const limited = await listen(createApp({ stores, rateLimitPerMinute: 3 }), 0);
    const address = limited.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1/terms`;
    const statuses = [];
    for (let k = 0; k < 5; k++) statuses.push((await fetch(url, { headers: { authorization: `Bearer ${tokens.counselor}` } })).status);
    const other = await fetch(url, { headers: { authorization: `Bearer ${tokens.school_admin}` } });
    await new Promise((resolve) => limited.close(resolve));
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(other.status).toBe(200);
  });
});

describe("ewis token create", () => {
  it("creates a working token from --scope and refuses a role without its scope", async () => {
    const db = service.db;
    const lines: string[] = [];
    expect(await main(["node", "ewis", "token", "create", "--db", db, "--role", "counselor", "--name", "cli counselor", "--scope", `school:${A2}`], (l) => lines.push(l))).toBe(0);
    const token = lines.at(-1)!;
    expect(token).toMatch(/^ewis_[A-Za-z0-9_-]{43}$/);
    const r = await fetch(`${base}/api/v1/students/${students.inA2}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    studentReads.push(`/students/${students.inA2}`);
    expect(await main(["node", "ewis", "token", "create", "--db", db, "--role", "counselor", "--name", "nobody"], quiet)).toBe(2);
    expect(await main(["node", "ewis", "token", "create", "--db", db, "--role", "janitor", "--name", "x", "--scope", `school:${A1}`], quiet)).toBe(2);
  });
});

describe("the audit trail", () => {
  it("holds one record for every student-level read this suite made, with who, which route and which students", async () => {
    const trail = await stores.audit.trail(100_000);
    expect(studentReads.length).toBeGreaterThan(20);
    expect(trail.length).toBe(studentReads.length);
    for (const entry of trail) {
      expect(entry.token_name).toMatch(/^(test|cli) /);
      expect(entry.route).toMatch(/^(GET \/students|POST \/students\/search)/);
      expect(Date.parse(entry.at)).toBeGreaterThan(0);
    }
    const detailReads = trail.filter((e) => e.route === "GET /students/:id");
    expect(detailReads.every((e) => e.students.length === 1)).toBe(true);
    expect(detailReads.map((e) => e.students[0])).toContain(students.inA1);
  });
});

/**
 * A store of its own with the fixture's 2027 fall term published, served on port 0: for the
 * tests of kept answers, which publish the term again. `runFall` re-runs it; `api` is the base URL.
 */
async function servedOwnStore(name: string) {
  const work = await mkdtemp(join(tmpdir(), `ewis-${name}-`));
  const db = join(work, `${name}.db`);
  const history = join(root, "fixtures", "state-small.csv");
  const runFall = async () =>
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", join(root, "models"), "--db", db], quiet)).toBe(0);
  await runFall();
  const own = await openStores(db);
  const app = await listen(createApp({ stores: own }), 0);
  const address = app.address();
  const api = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1`;
  const close = async () => {
    await new Promise((resolve) => app.close(resolve));
    await own.close();
  };
  return { own, runFall, api, close };
}

describe("risk-list pages kept between requests", () => {
  it("serves a re-run term's own list, not the page kept from the run it replaced, and audits every read", async () => {
    const { own, runFall, api, close } = await servedOwnStore("pages");
    const token = await newTestToken(own.tokens, { name: "pages counselor", ...grants.counselor });
    const url = `${api}/students?school=${A1}&limit=20`;
    const page = async () => (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as { term: { finished_at: string }; students: { student_id: string }[] };
    try {
      const first = await page();
      expect(await page()).toEqual(first);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a later start time for the re-run
      await runFall();
      const again = await page();
      expect(again.term.finished_at).toBe((await own.terms.latestTerm())?.finished_at);
      expect(again.term.finished_at).not.toBe(first.term.finished_at);
      expect(again.students).toEqual(first.students); // same history, same list
      const reads = (await own.audit.trail(100)).filter((e) => e.route === "GET /students");
      expect(reads).toHaveLength(3);
      expect(reads[0].students).toEqual(first.students.map((s) => s.student_id).filter((id, i, all) => all.indexOf(id) === i));
    } finally {
      await close();
    }
  });
});

describe("rollups kept between requests", () => {
  it("serves a kept district rollup only to whoever may read it, and a re-run term's own", async () => {
    const { own, runFall, api, close } = await servedOwnStore("rollups");
    const district = await newTestToken(own.tokens, { name: "rollup district admin", ...grants.district_admin });
    const counselor = await newTestToken(own.tokens, { name: "rollup counselor", ...grants.counselor });
    const url = `${api}/districts/${A}/rollup?grade=all&dimension=all`;
    const rollup = (token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });
    try {
      const first = await rollup(district);
      expect(first.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await first.json()) as { term: { finished_at: string }; cells: unknown[] };
      expect(body.cells.length).toBeGreaterThan(0);
      expect(await (await rollup(district)).json()).toEqual(body);
      // Kept text is never a way around the access check.
      expect((await rollup(counselor)).status).toBe(404);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await runFall();
      const again = (await (await rollup(district)).json()) as typeof body;
      expect(again.term.finished_at).toBe((await own.terms.latestTerm())?.finished_at);
      expect(again.term.finished_at).not.toBe(body.term.finished_at);
      expect(again.cells).toEqual(body.cells);
    } finally {
      await close();
    }
  });
});
