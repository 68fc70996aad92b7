import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { publishScores } from "../../src/app/publishTerm.ts";
import { endSession, sessionOf, startSession } from "../../src/app/sessions.ts";
import { signIn } from "../../src/app/tokens.ts";
import { addUser, disableUser } from "../../src/app/users.ts";
import { main } from "../../src/cli/main.ts";
import { indicatorCount, publicationOf, tierChange, tierKey, type StudentScore } from "../../src/core/index.ts";
import { tokenMint } from "../../src/http/auth.ts";
import { openStores, withStores } from "../../src/store/openStores.ts";
import type { TermToRecord } from "../../src/store/termStore.ts";
import { newTestToken } from "../support/serviceFixture.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * What every store does, held to the same tests on SQLite and on a real PostgreSQL server:
 * terms published whole and in calendar order, tier moves against the previous term, a
 * backfill bringing the later term up to date, lists in one order with cursors, scope, tokens
 * and the audit trail. The commands' output is compared across the two at the end.
 */
const root = join(import.meta.dirname, "..", "..");
const smallState = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const quiet = () => {};
const runTerm = (db: string, year: string, term: string) =>
  main(["node", "ewis", "run-term", "--history", smallState, "--year", year, "--term", term, "--models", models, "--db", db], quiet);

const handScore = (student_id: string, tier: StudentScore["tier"], milestone: StudentScore["milestone"] = "early_literacy"): StudentScore => ({
  student_id,
  school_year: 2027,
  district_id: "D1",
  school_id: "E1",
  grade: 3,
  milestone,
  risk: tier === "low" ? 0.1 : tier === "moderate" ? 0.3 : 0.8,
  tier,
  drivers: [],
  subgroups: { low_income: "1", ell: "0", former_ell: "0", sped: "0", homeless: "0", foster_care: "0", race_ethnicity: "W", gender: "F" },
  indicators: new Float64Array(indicatorCount).fill(NaN),
  prior: null,
  scoredWith: null,
});
const handTerm = (school_year: number, label: string): TermToRecord => ({
  school_year, label, started_at: "t", finished_at: "t", rows_read: 0, rows_accepted: 0, rows_rejected: 0,
  students_enrolled: 0, students_scored: 0, scores: 0, not_scored: {}, models: [], input_sha256: "0", suppression_threshold: 10,
});

/** Each kind's `ewis export` and `ewis rollups` of 2027 fall, for the comparison at the end. */
const outputs: Partial<Record<(typeof storeKinds)[number], string[]>> = {};

describe.each(storeKinds)("the %s store", (kind) => {
  const maker = storeMaker(kind);
  let db: string;

  beforeAll(async () => {
    db = await maker.fresh("published");
    expect(await runTerm(db, "2026", "spring")).toBe(0);
    expect(await runTerm(db, "2027", "fall")).toBe(0);
  }, 120_000);

  it("publishes terms in order with their counts and the models used", async () => {
    await withStores(db, {}, async ({ terms }) => {
      const all = await terms.listTerms();
      expect(all.map((t) => `${t.school_year} ${t.label}`)).toEqual(["2026 spring", "2027 fall"]);
      const fall = all[1];
      expect(fall.rows_read).toBe(17383);
      expect(fall.rows_accepted + fall.rows_rejected).toBe(fall.rows_read);
      expect(fall.scores).toBe((await terms.riskList(fall.id)).length);
      expect(fall.models).toHaveLength(22);
      expect(fall.input_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect((await terms.previousTerm(2027, "fall"))?.label).toBe("spring");
      expect((await terms.previousTerm(2027, "winter"))?.label).toBe("fall"); // a new term goes after every term there is
      expect((await terms.latestTerm())?.id).toBe(fall.id);
    });
  });

  it("takes each score's tier move against the previous term", async () => {
    await withStores(db, {}, async ({ terms }) => {
      const [spring, fall] = await terms.listTerms();
      const before = await terms.tiersOf(spring.id);
      const scores = await terms.riskList(fall.id);
      for (const s of scores) {
        const previous = before.get(tierKey(s.student_id, s.milestone));
        expect(s.previous_tier).toBe(previous ?? null);
        expect(s.change).toBe(tierChange(previous, s.tier));
      }
      expect(new Set(scores.map((s) => s.change))).toEqual(new Set(["new", "up", "down", "same"]));
      const counts = await terms.changeCounts(fall.id);
      expect(counts.up).toBe(scores.filter((s) => s.change === "up").length);
      expect(counts.new + counts.up + counts.down + counts.same).toBe(scores.length);
      const becameHigh = await terms.riskList(fall.id, { tier: "high", change: "up" });
      expect(becameHigh.length).toBeGreaterThan(0);
      expect(becameHigh.every((s) => s.tier === "high" && s.previous_tier !== "high")).toBe(true);
      // Rollup changes are taken against the same cells of the previous term.
      expect((await terms.rollups(fall.id)).some((c) => c.mean_risk_change !== null)).toBe(true);
    });
  });

  it("reads pages as slices of the whole list in either order, and rows as the student detail reads them", async () => {
    await withStores(db, {}, async ({ terms }) => {
      const term = (await terms.latestTerm())!;
      const district = "D0001";
      for (const sort of ["risk_desc", "risk_asc"] as const) {
        const whole = await terms.riskList(term.id, { district_id: district }, { all: true }, { sort });
        expect(whole.length).toBeGreaterThan(20);
        const risks = whole.map((s) => s.risk);
        expect(risks).toEqual([...risks].sort((a, b) => (sort === "risk_desc" ? b - a : a - b)));
        for (const limit of [1, 7, 20]) expect(await terms.riskList(term.id, { district_id: district }, { all: true }, { sort, limit })).toEqual(whole.slice(0, limit));
        expect(await terms.riskList(term.id, { district_id: district }, { all: true }, { sort, after: whole[9], limit: 5 })).toEqual(whole.slice(10, 15));
      }
      const row = (await terms.riskList(term.id, { school_id: "D0001-E01" }, { all: true }, { limit: 1 }))[0];
      const detail = (await terms.studentDetail(term.id, row.student_id, { all: true }))!;
      expect(detail.scores.find((s) => s.milestone === row.milestone)).toEqual(row);
      expect(detail.history.at(-1)?.term_id).toBe(term.id);
    });
  });

  it("turns scope into the query: only the scope's schools and districts, never the state row below state", async () => {
    await withStores(db, {}, async ({ terms }) => {
      const term = (await terms.latestTerm())!;
      const school = { all: false as const, districts: [], schools: ["D0001-E01"] };
      const listed = await terms.riskList(term.id, {}, school);
      expect(listed.length).toBeGreaterThan(0);
      expect(new Set(listed.map((s) => s.school_id))).toEqual(new Set(["D0001-E01"]));
      expect(await terms.riskList(term.id, { school_id: "D0004-E01" }, school)).toEqual([]);
      const outside = (await terms.riskList(term.id, { school_id: "D0004-E01" }, { all: true }, { limit: 1 }))[0];
      expect(await terms.studentDetail(term.id, outside.student_id, school)).toBeUndefined();
      expect(await terms.riskList(term.id, {}, { all: false, districts: [], schools: [] })).toEqual([]);
      const district = { all: false as const, districts: ["D0001"], schools: [] };
      const cells = await terms.rollups(term.id, {}, district);
      expect(new Set(cells.map((c) => c.scope))).toEqual(new Set(["district", "school"]));
      expect(cells.every((c) => c.district_id === "D0001")).toBe(true);
      const places = await terms.places(term.id, district);
      expect(places[0]).toEqual({ district_id: "D0001", school_id: "" });
      expect(places.slice(1).every((p) => p.district_id === "D0001" && p.school_id.startsWith("D0001-"))).toBe(true);
    });
  });

  it("replaces a re-run term whole: same id, byte-identical rollups", async () => {
    const dump = async (out: string) => {
      expect(await main(["node", "ewis", "rollups", "--db", db, "--year", "2027", "--term", "fall", "--out", out], quiet)).toBe(0);
      return readFile(out, "utf8");
    };
    const before = await dump(join(maker.work, "before.csv"));
    const idBefore = await withStores(db, {}, async ({ terms }) => (await terms.findTerm(2027, "fall"))?.id);
    expect(await runTerm(db, "2027", "fall")).toBe(0);
    expect(await dump(join(maker.work, "after.csv"))).toBe(before);
    await withStores(db, {}, async ({ terms }) => {
      expect(await terms.listTerms()).toHaveLength(2);
      expect((await terms.findTerm(2027, "fall"))?.id).toBe(idBefore);
    });
  });

  it("flags new, up, down and same against the previous published term, per milestone", async () => {
    await withStores(await maker.fresh("hand"), {}, async ({ terms }) => {
      const first = publicationOf([handScore("A", "low"), handScore("B", "high"), handScore("C", "moderate")], 10);
      const fall = await publishScores(terms, handTerm(2027, "fall"), first.scores, first.rollups);
      expect((await terms.riskList(fall.id)).map((s) => s.change)).toEqual(["new", "new", "new"]);
      const second = publicationOf(
        [handScore("A", "high"), handScore("B", "moderate"), handScore("C", "moderate"), handScore("D", "low"), handScore("A", "low", "middle_readiness")],
        10,
      );
      const winter = await publishScores(terms, handTerm(2027, "winter"), second.scores, second.rollups);
      const byStudent = (a: { student_id: string; milestone: string }, b: { student_id: string; milestone: string }) =>
        a.milestone.localeCompare(b.milestone) || a.student_id.localeCompare(b.student_id);
      expect((await terms.riskList(winter.id)).sort(byStudent).map((s) => [s.student_id, s.milestone, s.previous_tier, s.change])).toEqual([
        ["A", "early_literacy", "low", "up"],
        ["B", "early_literacy", "high", "down"],
        ["C", "early_literacy", "moderate", "same"],
        ["D", "early_literacy", null, "new"],
        ["A", "middle_readiness", null, "new"],
      ]);
      expect((await terms.riskList(winter.id, { change: "up" })).map((s) => s.student_id)).toEqual(["A"]);
    });
  });

  it("gives back a student's indicators exactly, missing ones as null", async () => {
    await withStores(await maker.fresh("indicators"), {}, async ({ terms }) => {
      const scored = handScore("A", "low");
      scored.indicators = Float64Array.from({ length: indicatorCount }, (_, k) => (k === 3 ? NaN : k / 7 + 0.1));
      const published = publicationOf([scored], 10);
      const fall = await publishScores(terms, handTerm(2026, "fall"), published.scores, published.rollups);
      const detail = await terms.studentDetail(fall.id, "A", { all: true });
      expect(Object.values(detail?.indicators ?? {})).toEqual(Array.from(scored.indicators, (v) => (Number.isNaN(v) ? null : v)));
    });
  });

  it("rolls a failed publish back whole and leaves the store as it was", async () => {
    await withStores(db, {}, async ({ terms }) => {
      const before = await terms.listTerms();
      await expect(
        terms.publish({ school_year: 2027, label: "fall" }, async (term) => {
          await term.addScores(publicationOf([handScore("Z", "high")], 10).scores);
          throw new Error("the run failed half way");
        }),
      ).rejects.toThrow("the run failed half way");
      expect(await terms.listTerms()).toEqual(before);
      expect((await terms.riskList(before[1].id)).some((s) => s.student_id === "Z")).toBe(false);
      expect((await terms.riskList(before[1].id)).length).toBe(before[1].scores);
    });
  });

  it("puts a backfilled term before the later one and brings the later term's changes up to date", async () => {
    const file = await maker.fresh("order");
    expect(await runTerm(file, "2027", "fall")).toBe(0);
    const fallFirst = await withStores(file, {}, async ({ terms }) => terms.changeCounts((await terms.findTerm(2027, "fall"))!.id));
    expect(fallFirst).toMatchObject({ up: 0, down: 0, same: 0 });
    expect(await runTerm(file, "2026", "spring")).toBe(0); // backfill
    await withStores(file, {}, async ({ terms }) => {
      expect((await terms.listTerms()).map((t) => `${t.school_year} ${t.label}`)).toEqual(["2026 spring", "2027 fall"]);
      const fall = (await terms.findTerm(2027, "fall"))!;
      const spring = (await terms.findTerm(2026, "spring"))!;
      expect((await terms.previousTerm(2027, "fall"))?.id).toBe(spring.id);
      const counts = await terms.changeCounts(fall.id);
      expect(counts.same + counts.up + counts.down).toBeGreaterThan(0);
      const springTiers = await terms.tiersOf(spring.id);
      for (const s of await terms.riskList(fall.id)) expect(s.previous_tier).toBe(springTiers.get(tierKey(s.student_id, s.milestone)) ?? null);
      expect((await terms.rollups(fall.id)).some((c) => c.mean_risk_change !== null)).toBe(true);
    });
  });

  it("orders a year's terms fall, winter, spring whatever order they were run in", async () => {
    const file = await maker.fresh("calendar");
    for (const label of ["spring", "fall", "winter"]) expect(await runTerm(file, "2027", label)).toBe(0);
    await withStores(file, {}, async ({ terms }) => {
      expect((await terms.listTerms()).map((t) => t.label)).toEqual(["fall", "winter", "spring"]);
      expect((await terms.latestTerm())?.label).toBe("spring");
      expect((await terms.previousTerm(2027, "spring"))?.label).toBe("winter");
    });
  });

  it("keeps tokens by their hash only, and revokes them once", async () => {
    await withStores(db, {}, async ({ tokens }) => {
      const grant = { name: "contract counselor", role: "counselor" as const, schools: ["D0001-E01"], districts: [], studentGrant: false };
      const token = await newTestToken(tokens, grant, { now: new Date("2026-09-01T00:00:00.000Z"), expiresInDays: 30 });
      const opened = await signIn(tokens, tokenMint, token, new Date("2026-09-15T00:00:00.000Z"));
      expect(opened).toEqual({ ok: true, principal: { tokenId: expect.any(Number), userId: null, name: "contract counselor", role: "counselor", districts: [], schools: ["D0001-E01"], studentGrant: false } });
      expect(await signIn(tokens, tokenMint, token, new Date("2026-10-01T00:00:00.000Z"))).toEqual({ ok: false, reason: "expired", at: "2026-10-01T00:00:00.000Z" });
      expect(await signIn(tokens, tokenMint, `${token}x`, new Date("2026-09-15T00:00:00.000Z"))).toEqual({ ok: false, reason: "unknown" });
      const listed = (await tokens.listTokens()).find((t) => t.name === "contract counselor")!;
      expect(JSON.stringify(listed)).not.toContain(token);
      expect(JSON.stringify(listed)).not.toContain(tokenMint.hashToken(token));
      const id = opened.ok ? opened.principal.tokenId! : -1;
      expect((await tokens.revokeToken(id, "2026-09-20T00:00:00.000Z"))?.revokedNow).toBe(true);
      expect(await tokens.revokeToken(id, "2026-09-21T00:00:00.000Z")).toMatchObject({ revokedNow: false, token: { revoked_at: "2026-09-20T00:00:00.000Z" } });
      expect(await signIn(tokens, tokenMint, token, new Date("2026-09-15T00:00:00.000Z"))).toEqual({ ok: false, reason: "revoked", at: "2026-09-20T00:00:00.000Z" });
      expect(await tokens.revokeToken(999_999, "2026-09-21T00:00:00.000Z")).toBeUndefined();
    });
  });

  it("registers users by email or subject, refuses a second with the same, and disables one once", async () => {
    const file = await maker.fresh("users");
    expect(await runTerm(file, "2027", "fall")).toBe(0);
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    const add = (...args: string[]) => main(["node", "ewis", "user", "add", "--db", file, ...args], say);
    expect(await add("--email", " A.Rivera@District.example.org ", "--name", "A. Rivera", "--role", "counselor", "--school", "D0001-E01")).toBe(0);
    expect(await add("--subject", "idp|8841", "--name", "B. Chen", "--role", "district_admin", "--district", "D0001")).toBe(0);
    expect(await add("--email", "a.rivera@district.example.org", "--name", "Again", "--role", "counselor", "--school", "D0001-E01")).toBe(2);
    expect(await add("--name", "Nobody", "--role", "counselor", "--school", "D0001-E01")).toBe(2);
    expect(await add("--email", "not-an-address", "--name", "X", "--role", "counselor", "--school", "D0001-E01")).toBe(2);
    expect(await add("--email", "c@district.example.org", "--name", "C", "--role", "counselor")).toBe(2); // a counselor needs a school
    await withStores(file, {}, async ({ users }) => {
      expect((await users.findUser({ email: "a.rivera@district.example.org" }))?.name).toBe("A. Rivera");
      expect((await users.findUser({ subject: "idp|8841", email: "someone@else.org" }))?.name).toBe("B. Chen");
      expect(await users.findUser({ subject: "idp|0000", email: "nobody@district.example.org" })).toBeUndefined();
      expect((await users.listUsers()).map((u) => u.name)).toEqual(["A. Rivera", "B. Chen"]);
    });
    lines.length = 0;
    expect(await main(["node", "ewis", "user", "list", "--db", file], say)).toBe(0);
    expect(lines[0]).toBe("id,name,email,subject,role,scope,created,disabled");
    expect(lines[1]).toMatch(/^1,A\. Rivera,a\.rivera@district\.example\.org,,counselor,school:D0001-E01,\d{4}-\d\d-\d\dT[\d:.]+Z,$/);
    expect(lines[2]).toMatch(/^2,B\. Chen,,idp\|8841,district_admin,district:D0001,/);
    expect(await main(["node", "ewis", "user", "disable", "--db", file, "--id", "1"], say)).toBe(0);
    expect(lines.at(-1)).toBe("user 1 (A. Rivera, counselor) disabled; they sign in to nothing from now on");
    expect(await main(["node", "ewis", "user", "disable", "--db", file, "--id", "1"], say)).toBe(0);
    expect(lines.at(-1)).toMatch(/^user 1 \(A\. Rivera, counselor\) was already disabled on \d{4}-/);
    expect(await main(["node", "ewis", "user", "disable", "--db", file, "--id", "9"], say)).toBe(1);
    await withStores(file, {}, async ({ users }) => {
      expect((await users.findUser({ email: "a.rivera@district.example.org" }))?.disabled_at).toMatch(/^\d{4}-/);
    });
  });

  it("keeps sessions by their hash, ends them once, and judges their user afresh on every request", async () => {
    const file = await maker.fresh("sessions");
    expect(await runTerm(file, "2027", "fall")).toBe(0);
    await withStores(file, {}, async ({ users, sessions }) => {
      const begun = new Date("2026-09-01T08:00:00.000Z");
      const hour = (h: number) => new Date(begun.getTime() + h * 3_600_000);
      const grant = { name: "A. Rivera", role: "counselor" as const, schools: ["D0001-E01"], districts: [], studentGrant: false };
      const rivera = await addUser(users, { subject: "idp|1", email: "a.rivera@district.example.org", grant }, begun);
      const byEmailOnly = await addUser(users, { email: "b.chen@district.example.org", grant: { ...grant, name: "B. Chen" } }, begun);

      const started = await startSession({ users, sessions }, { subject: "idp|1" }, begun, 8);
      expect(started).toMatchObject({ ok: true, expiresAt: "2026-09-01T16:00:00.000Z" });
      const session = started.ok ? started.session : "";
      expect(await sessionOf(sessions, session, hour(1))).toEqual({ ok: true, principal: { tokenId: null, userId: rivera, name: "A. Rivera", role: "counselor", districts: [], schools: ["D0001-E01"], studentGrant: false } });
      expect(await sessionOf(sessions, session, hour(8))).toEqual({ ok: false, reason: "expired" });
      expect(await sessionOf(sessions, `${session}x`, hour(1))).toEqual({ ok: false, reason: "unknown" });

      // Matched by a verified email only, and never an email registered to another subject.
      expect(await startSession({ users, sessions }, { subject: "idp|2", email: "B.Chen@district.example.org", emailVerified: false }, begun)).toEqual({ ok: false, reason: "unknown_user" });
      expect(await startSession({ users, sessions }, { subject: "idp|2", email: "B.Chen@district.example.org" }, begun)).toEqual({ ok: false, reason: "unknown_user" });
      const chen = await startSession({ users, sessions }, { subject: "idp|2", email: "B.Chen@district.example.org", emailVerified: true }, begun);
      expect(chen.ok && chen.check.principal.userId).toBe(byEmailOnly);
      // Matched by email once, the subject is theirs: the address given to someone else later opens nothing.
      expect((await users.findUser({ email: "b.chen@district.example.org" }))?.subject).toBe("idp|2");
      expect(await startSession({ users, sessions }, { subject: "idp|3", email: "b.chen@district.example.org", emailVerified: true }, begun)).toEqual({ ok: false, reason: "unknown_user" });
      expect((await startSession({ users, sessions }, { subject: "idp|2" }, begun)).ok).toBe(true);
      expect(await startSession({ users, sessions }, { subject: "idp|9", email: "a.rivera@district.example.org", emailVerified: true }, begun)).toEqual({ ok: false, reason: "unknown_user" });

      expect(await endSession(sessions, session, hour(2))).toBe(true);
      expect(await endSession(sessions, session, hour(3))).toBe(false);
      expect(await sessionOf(sessions, session, hour(2))).toEqual({ ok: false, reason: "ended" });

      const again = await startSession({ users, sessions }, { subject: "idp|1" }, hour(4));
      await disableUser(users, rivera, hour(5));
      expect(await sessionOf(sessions, again.ok ? again.session : "", hour(6))).toEqual({ ok: false, reason: "disabled" });
      expect(await startSession({ users, sessions }, { subject: "idp|1" }, hour(6))).toEqual({ ok: false, reason: "disabled" });
    });
  });

  it("keeps the audit trail newest first, each entry whole", async () => {
    await withStores(await maker.fresh("audit"), {}, async ({ audit }) => {
      const entry = (at: string, students: string[]) => ({ at, token_id: 3, user_id: null, token_name: "c", role: "counselor", route: "GET /students", term_id: 1, students });
      await audit.record(entry("2026-01-05T10:00:00.000Z", ["S1", "S2"]));
      await audit.record(entry("2026-01-06T10:00:00.000Z", ["S3"]));
      expect((await audit.trail()).map(({ id: _, ...e }) => e)).toEqual([entry("2026-01-06T10:00:00.000Z", ["S3"]), entry("2026-01-05T10:00:00.000Z", ["S1", "S2"])]);
      expect(await audit.trail(1)).toHaveLength(1);
    });
  });

  it("refuses to read a store that is not there instead of creating one", async () => {
    const missing = kind === "sqlite" ? join(maker.work, "typo", "nope.db") : await maker.fresh("empty");
    expect(await main(["node", "ewis", "terms", "--db", missing], quiet)).toBe(2);
    if (kind === "postgres") {
      // Nothing was created in the empty database either.
      await expect(openStores(missing, { mustExist: true })).rejects.toThrow(/no ewis store in that database/);
    }
  });

  it("exports the term for the comparison across stores", async () => {
    const files: string[] = [];
    for (const command of ["export", "rollups"]) {
      const out = join(maker.work, `${command}.csv`);
      expect(await main(["node", "ewis", command, "--db", db, "--year", "2027", "--term", "fall", "--out", out], quiet)).toBe(0);
      files.push(await readFile(out, "utf8"));
    }
    const printed: string[] = [];
    expect(await main(["node", "ewis", "suppression", "--db", db, "--year", "2027", "--term", "fall"], (line) => printed.push(line))).toBe(0);
    expect(printed).toHaveLength(3);
    files.push(printed.join("\n"));
    outputs[kind] = files;
  });

  it("lists, revokes and audits through the commands", async () => {
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    expect(await main(["node", "ewis", "token", "create", "--db", db, "--role", "district_admin", "--name", "cli holder", "--district", "D0001"], say)).toBe(0);
    expect(await main(["node", "ewis", "token", "list", "--db", db], say)).toBe(0);
    const listed = lines.find((l) => l.includes(",cli holder,"))!;
    expect(listed).toMatch(/^\d+,cli holder,district_admin,district:D0001,\d{4}-\d\d-\d\dT[\d:.]+Z,\d{4}-\d\d-\d\dT[\d:.]+Z,,active$/);
    const id = listed.split(",")[0];
    expect(await main(["node", "ewis", "token", "revoke", "--db", db, "--id", id], say)).toBe(0);
    expect(lines.at(-1)).toBe(`token ${id} (cli holder, district_admin) revoked; the API refuses it from now on`);
    lines.length = 0;
    expect(await main(["node", "ewis", "token", "list", "--db", db], say)).toBe(0);
    expect(lines.find((l) => l.startsWith(`${id},`))).toMatch(/,revoked$/);
    await withStores(db, {}, ({ audit }) => audit.record({ at: "2027-01-05T10:00:00.000Z", token_id: 1, user_id: null, token_name: "c", role: "counselor", route: "GET /students", term_id: 2, students: ["S1", "S2"] }));
    await withStores(db, {}, ({ audit }) => audit.record({ at: "2027-01-06T10:00:00.000Z", token_id: null, user_id: 3, token_name: "Rivera, A.", role: "counselor", route: "GET /students/:id", term_id: 2, students: ["S3"] }));
    lines.length = 0;
    expect(await main(["node", "ewis", "audit", "--db", db, "--limit", "2"], say)).toBe(0);
    expect(lines).toEqual([
      "at,by,name,role,route,term,students",
      '2027-01-06T10:00:00.000Z,user 3,"Rivera, A.",counselor,GET /students/:id,2,1:S3',
      "2027-01-05T10:00:00.000Z,token 1,c,counselor,GET /students,2,2:S1 S2",
    ]);
  });
});

describe("the two stores", () => {
  it("give byte-identical exports, rollups and suppression figures of the same term", () => {
    expect(outputs.sqlite).toHaveLength(3);
    expect(outputs.postgres).toEqual(outputs.sqlite);
  });
});
