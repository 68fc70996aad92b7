import type { Server } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rosterHeader, rosterLine } from "../../fixtures/synthetic/names.ts";
import { main } from "../../src/cli/main.ts";
import type { LogLine } from "../../src/http/accessLog.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import { A, A1, portOf, root } from "../support/serviceFixture.ts";
import { newTestToken } from "../support/serviceFixture.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * Names from the district's roster, on both stores: published with the term, shown to roles
 * that read students in lists, the student and the CSV, searchable, and nowhere else: not in
 * rollups, the log, the audit trail, an error, or a role without student access.
 */
const history = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");

interface Named {
  first_name: string;
  last_name: string;
  local_id: string | null;
}

describe.each(storeKinds)("names on the %s store", (kind) => {
  const maker = storeMaker(kind);
  let db: string;
  let stores: Stores;
  let server: Server;
  let base: string;
  const logged: LogLine[] = [];
  const roster = new Map<string, Named>();
  const tokens = {} as Record<"counselor" | "state_admin" | "granted", string>;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await maker.fresh("names");
    // Every tenth student is left off the roster: their name is null, not an error.
    const historyRows = (await readFile(history, "utf8")).split("\n").slice(1).filter(Boolean).map((l) => l.split(","));
    const ids = [...new Set(historyRows.map((cells) => cells[0]))];
    const rows = ids.filter((_, k) => k % 10 !== 9).map(rosterLine);
    // One name with LIKE's own characters, to show a search takes them literally: a student of 2027, so scored.
    const current = historyRows.find((cells) => cells[1] === "2027")![0];
    rows[rows.findIndex((r) => r.startsWith(`${current},`))] = `${current},Zed%,Under_score,ÅX1`;
    for (const row of rows) {
      const [id, first_name, last_name, local_id] = row.split(",");
      roster.set(id, { first_name, last_name, local_id });
    }
    const file = join(maker.work, `roster-${kind}.csv`);
    await writeFile(file, `${rosterHeader}\n${rows.join("\n")}\n`);
    for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
      expect(await main(["node", "ewis", "run-term", "--history", history, "--roster", file, "--year", year, "--term", term, "--models", models, "--db", db], (l) => lines.push(l))).toBe(0);
    }
    stores = await openStores(db);
    tokens.counselor = await newTestToken(stores.tokens, { name: "names counselor", role: "counselor", schools: [A1], districts: [], studentGrant: false });
    tokens.state_admin = await newTestToken(stores.tokens, { name: "names state", role: "state_admin", schools: [], districts: [], studentGrant: false });
    tokens.granted = await newTestToken(stores.tokens, { name: "names granted", role: "state_admin", schools: [], districts: [], studentGrant: true });
    server = await listen(createApp({ stores, log: (l) => logged.push(l) }), 0);
    base = `http://127.0.0.1:${portOf(server)}/api/v1`;
  }, 180_000);

  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stores?.close();
  });

  const get = async (path: string, who: keyof typeof tokens, accept = "application/json") => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokens[who]}`, accept } });
    return { status: response.status, text: await response.text() };
  };
  const list = async (query: string, who: keyof typeof tokens = "granted") => {
    const answer = await get(`/students?limit=500&${query}`, who);
    expect(answer.status).toBe(200);
    return (JSON.parse(answer.text) as { students: { student_id: string; name: Named | null }[] }).students;
  };
  /** A name search: in the body, never the address. */
  const search = async (name: string, who: keyof typeof tokens = "granted", extra: Record<string, unknown> = {}, accept = "application/json") => {
    const response = await fetch(`${base}/students/search`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[who]}`, "content-type": "application/json", accept },
      body: JSON.stringify({ name, limit: 500, ...extra }),
    });
    return { status: response.status, text: await response.text() };
  };
  const found = async (name: string, who: keyof typeof tokens = "granted", extra: Record<string, unknown> = {}) => {
    const answer = await search(name, who, extra);
    expect(answer.status, answer.text).toBe(200);
    return (JSON.parse(answer.text) as { students: { student_id: string; name: Named | null }[] }).students;
  };

  it("publishes each scored student's roster name with the term and says how many", async () => {
    expect(lines.find((l) => l.startsWith("names: "))).toMatch(/^names: \d+ of \d+ scored students named by the roster's \d+ \(\d+ roster students not scored this term\)$/);
    const students = await list(`school=${A1}`, "counselor");
    expect(students.length).toBeGreaterThan(20);
    for (const s of students) expect(s.name).toEqual(roster.get(s.student_id) ?? null);
    expect(students.some((s) => s.name === null)).toBe(true);
  });

  it("finds students by the start of a name, either order, any case, or by local id, taking % and _ as themselves", async () => {
    const [someone] = (await list(`school=${A1}`, "counselor")).filter((s) => s.name && s.name.local_id !== "ÅX1");
    const { first_name, last_name, local_id } = someone.name!;
    const named = (s: { name: Named | null }) => s.name !== null;
    for (const text of [last_name.slice(0, 3).toUpperCase(), `${first_name} ${last_name}`, `${last_name}, ${first_name}`.toLowerCase(), local_id!]) {
      const hits = await found(text);
      expect(hits.map((s) => s.student_id)).toContain(someone.student_id);
      expect(hits.every(named)).toBe(true);
    }
    const prefix = last_name.slice(0, 3).toLowerCase();
    const byLast = await found(prefix);
    expect(byLast.every((s) => s.name!.last_name.toLowerCase().startsWith(prefix) || s.name!.first_name.toLowerCase().startsWith(prefix))).toBe(true);
    // Accented capitals match as the roster spells them lower-cased, on both stores.
    const accented = [...roster.values()].find((n) => /[ÁÉÍÓÚ]/i.test(n.first_name))!;
    expect((await found(accented.first_name.toUpperCase())).length).toBeGreaterThan(0);
    // LIKE's wildcards are characters of the search, not wildcards: only "Zed%" starts with "zed%".
    expect((await found("%")).map((s) => s.name?.first_name)).toEqual([]);
    expect(new Set((await found("zed%")).map((s) => s.name?.first_name))).toEqual(new Set(["Zed%"]));
    expect(new Set((await found("under_")).map((s) => s.name?.last_name))).toEqual(new Set(["Under_score"]));
    // A local id is matched whole, whatever its case, accents included, on both stores.
    expect(new Set((await found("åx1")).map((s) => s.name?.local_id))).toEqual(new Set(["ÅX1"]));
    expect(await found("åx")).toEqual([]);
    // A counselor's search stays in their school.
    const theirs = await found(prefix, "counselor");
    expect(theirs.every((s) => byLast.some((b) => b.student_id === s.student_id))).toBe(true);
    // With the list's other filters, and as CSV.
    const high = await found(prefix, "granted", { tier: "high" });
    expect(high.every((s) => byLast.some((b) => b.student_id === s.student_id))).toBe(true);
    const csv = await search(prefix, "granted", { tier: "high", limit: undefined }, "text/csv");
    const csvRows = csv.text.trim().split("\n");
    expect(csvRows[0].endsWith("first_name,last_name,local_id")).toBe(true);
    expect(high.length).toBeLessThan(500);
    expect(csvRows.slice(1).map((l) => l.split(",")[0])).toEqual(high.map((s) => s.student_id));
  });

  it("shows the name on the student and at the end of the CSV, and refuses a role without student access", async () => {
    const [someone] = (await list(`school=${A1}`, "counselor")).filter((s) => s.name);
    const student = JSON.parse((await get(`/students/${someone.student_id}`, "counselor")).text) as { student: { name: Named } };
    expect(student.student.name).toEqual(someone.name);
    const csv = (await get(`/students?school=${A1}`, "counselor", "text/csv")).text.split("\n");
    expect(csv[0].endsWith(",scored_with,first_name,last_name,local_id")).toBe(true);
    const row = csv.find((l) => l.startsWith(`${someone.student_id},`))!;
    const { first_name, last_name, local_id } = someone.name!;
    const quote = (t: string) => (/[",]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t);
    expect(row.endsWith(`,${quote(first_name)},${quote(last_name)},${local_id}`)).toBe(true);

    // The data team's `ewis export` carries them too, in the same columns.
    const out = join(maker.work, `export-${kind}.csv`);
    expect(await main(["node", "ewis", "export", "--db", db, "--year", "2027", "--term", "fall", "--out", out], () => {})).toBe(0);
    const exported = (await readFile(out, "utf8")).split("\n");
    expect(exported[0]).toBe(csv[0]);
    expect(exported.find((l) => l.startsWith(`${someone.student_id},`))!.endsWith(`,${quote(first_name)},${quote(last_name)},${local_id}`)).toBe(true);

    const refused = await search(last_name, "state_admin");
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain(last_name);
    const tooLong = await search("Rivera".repeat(20), "granted");
    expect(tooLong.status).toBe(400);
    expect(JSON.parse(tooLong.text).error.message).toBe("name: name must be at most 100 characters");
    // The address takes no name: a search there is an unknown parameter.
    expect(JSON.parse((await get(`/students?name=${last_name}`, "granted")).text).error.message).toBe("name: unknown parameter");
  });

  it("keeps names out of rollups, the log and the audit trail", async () => {
    const lastNames = [...new Set([...roster.values()].map((n) => n.last_name))].filter((n) => n.length > 4);
    const rollups = [await get(`/districts/${A}/rollup`, "state_admin"), await get("/state/rollup", "state_admin"), await get(`/schools/${A1}/rollup`, "counselor")];
    const seen = JSON.stringify({ rollups: rollups.map((r) => r.text), logged, audit: await stores.audit.trail() });
    for (const name of lastNames) expect(seen).not.toContain(name);
    expect(seen).not.toContain("first_name");
  });

  it("replaces a term's names with the term: re-run without a roster, it names no one, and the earlier term keeps its own", async () => {
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", db], () => {})).toBe(0);
    const fall = (await stores.terms.findTerm(2027, "fall"))!;
    const spring = (await stores.terms.findTerm(2026, "spring"))!;
    const ids = [...roster.keys()].slice(0, 200);
    expect((await stores.terms.namesOf(fall.id, ids)).size).toBe(0);
    expect((await stores.terms.namesOf(spring.id, ids)).size).toBeGreaterThan(0);
  });
});
