import type { Server } from "node:http";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type Page } from "playwright-core";
import { launchChromium, seriousViolations } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import { A, A1, newTestToken, portOf, root } from "../support/serviceFixture.ts";

/**
 * From a flag to an action, in Chromium: a counselor finds a high-risk student with no one on
 * them, assigns a plan, records a check-in, writes a note and a restricted one; a district
 * admin sees the plan and the note but not the restricted note's words; a change made in a tab
 * opened before someone else's is refused and the page reads the plan again; the next term,
 * the plan shows how the student moved, and the follow-up page counts who has a plan and how
 * last term's students moved.
 */
let work: string;
let db: string;
let stores: Stores;
let server: Server;
let browser: Browser;
let base: string;
const tokens = {} as Record<"counselor" | "district_admin", string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-casework-web-"));
  db = join(work, "ewis.db");
  const quiet = () => {};
  expect(await main(["node", "ewis", "run-term", "--history", join(root, "fixtures", "state-small.csv"), "--year", "2027", "--term", "fall", "--models", join(root, "models"), "--db", db], quiet)).toBe(0);
  expect(await main(["node", "ewis", "interventions", "add", "--db", db, "--id", "attendance_mentoring", "--label", "Attendance mentoring"], quiet)).toBe(0);
  stores = await openStores(db);
  tokens.counselor = await newTestToken(stores.tokens, { name: "Ana Rivera", role: "counselor", schools: [A1], districts: [], studentGrant: false });
  tokens.district_admin = await newTestToken(stores.tokens, { name: "Bo Chen", role: "district_admin", schools: [], districts: [A], studentGrant: false });
  server = await listen(createApp({ stores }), 0);
  base = `http://127.0.0.1:${portOf(server)}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stores?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function signedIn(who: keyof typeof tokens): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[1349]/.test(m.text())) problems.push(m.text());
  });
  await page.goto(`${base}/`);
  await page.getByLabel("API token").fill(tokens[who]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/list\.html/);
  return { page, problems, close: () => context.close() };
}

const serious = seriousViolations;

describe("casework on the pages", () => {
  let student = "";

  it("takes a counselor from a high-risk student with no plan to a plan, a check-in and two notes", async () => {
    const { page, problems, close } = await signedIn("counselor");
    await page.getByLabel("Tier").selectOption("high");
    await page.getByLabel("Interventions").selectOption("no_active_plan");
    await page.locator('#list[aria-busy="false"]').waitFor({ state: "attached" });
    expect(new Set(await page.locator("#rows tr > :nth-child(10)").allTextContents())).toEqual(new Set(["none"]));
    student = (await page.locator("#rows tr > :nth-child(1)").first().textContent())!;
    await page.locator("#rows tr a").first().click();
    await page.locator("#casework h2").first().waitFor();
    expect(await page.locator("#casework").textContent()).toContain("No intervention plan yet.");

    await page.getByLabel("Goal").fill("attendance above 90 % by January");
    await page.getByLabel("Planned end").fill("2027-01-29");
    await page.getByRole("button", { name: "Assign" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Plan assigned.");
    const card = page.getByRole("article", { name: "Attendance mentoring plan, active" });
    expect(await card.textContent()).toContain("Owner Ana Rivera");

    await card.getByLabel("What happened").fill("came 4 of 5 days");
    await card.getByRole("button", { name: "Record check-in" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Check-in recorded.");
    await expect.poll(async () => (await page.locator(".history li").allTextContents()).map((t) => t.replace(/^\S+ · /, ""))).toEqual([
      "assigned by Ana Rivera (counselor)",
      "checked in by Ana Rivera (counselor): came 4 of 5 days",
    ]);

    for (const [text, kind] of [["called the family: they will come on Tuesday", "general"], ["a health matter the family shared", "restricted"]] as const) {
      await page.getByLabel("Note", { exact: true }).fill(text);
      await page.getByLabel("Who may read it").selectOption(kind);
      await page.getByRole("button", { name: "Add note" }).click();
      await expect.poll(() => page.locator(".notes").textContent()).toContain(text);
    }
    expect(await page.locator(".notes li").first().textContent()).toMatch(/Restricted · Ana Rivera \(counselor\)a health matter/);
    expect(await serious(page)).toEqual([]);

    // Back on the list, the student has a plan: gone from "no active plan", shown with its check-in.
    await page.goto(`${base}/list.html?tier=high`);
    await page.locator('#list[aria-busy="false"]').waitFor({ state: "attached" });
    const row = page.locator("#rows tr", { has: page.getByRole("link", { name: student, exact: true }) }).first();
    expect(await row.locator(":nth-child(10)").textContent()).toMatch(/^1 active, check-in due \d{4}-\d\d-\d\d$/);
    expect(problems).toEqual([]);
    await close();
  });

  it("shows a district admin the plan and the general note, and only that a restricted note exists", async () => {
    const { page, problems, close } = await signedIn("district_admin");
    await page.goto(`${base}/student.html?id=${student}`);
    await page.locator(".plan").first().waitFor();
    const text = (await page.locator("#casework").textContent())!;
    expect(text).toContain("came 4 of 5 days");
    expect(text).toContain("called the family");
    expect(text).not.toContain("a health matter");
    expect(text).toContain("1 restricted note is not shown to your role.");
    expect(await page.getByLabel("Who may read it").locator("option").allTextContents()).toEqual(["Everyone who works with this student"]);
    expect(problems).toEqual([]);
    await close();
  });

  it("refuses a check-in made in a page opened before someone else's, and reads the plan again", async () => {
    const first = await signedIn("counselor");
    const second = await signedIn("district_admin");
    for (const { page } of [first, second]) {
      await page.goto(`${base}/student.html?id=${student}`);
      await page.locator(".plan").first().waitFor();
    }
    await second.page.getByLabel("What happened").fill("checked in by the district");
    await second.page.getByRole("button", { name: "Record check-in" }).click();
    await expect.poll(() => second.page.getByRole("status").textContent()).toBe("Check-in recorded.");
    await first.page.getByLabel("What happened").fill("would have been lost");
    await first.page.getByRole("button", { name: "Record check-in" }).click();
    await expect.poll(() => first.page.getByRole("status").textContent()).toMatch(/^Someone else changed this plan since you opened it/);
    expect(await first.page.locator(".history").textContent()).toContain("checked in by the district");
    expect(await first.page.locator(".history").textContent()).not.toContain("would have been lost");
    const [plan] = await stores.casework.plansOf([student]);
    expect((await stores.casework.eventsOf(plan.id)).map((e) => e.kind)).toEqual(["assigned", "checked_in", "checked_in"]);
    await first.close();
    await second.close();
  });

  it("shows, the next term, where the student stood when the plan began and where they stand now", async () => {
    // Winter's data: the student came every day, and the district's corrected test scores are strong.
    const lines = (await readFile(join(root, "fixtures", "state-small.csv"), "utf8")).split("\n");
    const header = lines[0].split(",");
    const column = (name: string) => header.indexOf(name);
    const winter = lines.map((line) => {
      const cells = line.split(",");
      if (cells[0] !== student) return line;
      cells[column("days_present")] = cells[column("days_enrolled")];
      for (const name of ["iss_count", "oss_count"]) cells[column(name)] = "0";
      for (const name of ["ela_scaled", "math_scaled"]) if (cells[column(name)] !== "") cells[column(name)] = "555";
      return cells.join(",");
    });
    const history = join(work, "winter.csv");
    await writeFile(history, winter.join("\n"));
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "winter", "--models", join(root, "models"), "--db", db], () => {})).toBe(0);
    const [fall, winterTerm] = await stores.terms.listTerms();
    const tierIn = async (termId: number) => new Map((await stores.terms.riskList(termId, { school_id: A1 }, { all: true })).filter((s) => s.student_id === student).map((s) => [s.milestone, s.tier]));
    const [then, now] = [await tierIn(fall.id), await tierIn(winterTerm.id)];
    expect([...then.values()]).toContain("high");
    // The movement the page must show: at least one milestone's tier is not what it was.
    expect([...now].some(([milestone, tier]) => then.get(milestone) !== tier)).toBe(true);

    const { page, problems, close } = await signedIn("counselor");
    await page.goto(`${base}/student.html?id=${student}`);
    const since = page.locator(".plan .since-start");
    await since.waitFor();
    expect(await since.locator("h4").textContent()).toBe("Since the plan began: 2026–27 fall to 2026–27 winter");
    for (const [milestone, tier] of now) {
      expect(await since.locator(`li[data-milestone="${milestone}"] .tier`).allTextContents()).toEqual([then.get(milestone)!, tier]);
    }
    expect(await serious(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it("gives a district admin the follow-up of a place: who has a plan, and how last term's students moved", async () => {
    const { page, problems, close } = await signedIn("district_admin");
    await page.getByRole("link", { name: "Follow-up" }).click();
    await page.waitForURL(/followup\.html/);
    await page.getByLabel("Place").selectOption(`school:${A1}`);
    await page.locator("#movement-section:not([hidden])").waitFor();
    await page.getByLabel("Subgroups").selectOption("all");
    expect(await page.locator("#caveat").textContent()).toMatch(/^Descriptive, not causal/);
    // The milestone of the student with the plan: one mentored student is never a number.
    const [, winterTerm] = await stores.terms.listTerms();
    const milestone = (await stores.terms.riskList(winterTerm.id, { school_id: A1 }, { all: true })).find((s) => s.student_id === student)!.milestone;
    await page.getByLabel("Milestone").selectOption(milestone);
    const mentored = await page.locator('#movement-rows tr[data-previous="high"][data-intervention="attendance_mentoring"] td').allTextContents();
    expect(mentored).toEqual(["Attendance mentoring", "suppressed", "suppressed", "suppressed", "suppressed"]);
    // Each shown number is the store's own count, a suppressed one is never a number.
    const scores = (await stores.terms.riskList(winterTerm.id, { school_id: A1, milestone }, { all: true })).map((s) => ({ ...s, plan: s.student_id === student ? "attendance_mentoring" : "none" }));
    const rows = page.locator("#movement-rows tr");
    let shown = 0;
    for (let r = 0; r < (await rows.count()); r++) {
      const row = rows.nth(r);
      const [previous, intervention] = [await row.getAttribute("data-previous"), await row.getAttribute("data-intervention")];
      const mine = scores.filter((s) => (previous === "new" ? s.previous_tier === null : s.previous_tier === previous && s.plan === intervention));
      const truth = [mine.length, ...(["low", "moderate", "high"] as const).map((t) => mine.filter((s) => s.tier === t).length)].map(String);
      const texts = (await row.locator("td").allTextContents()).slice(1);
      texts.forEach((text, k) => expect(text === "suppressed" || text === truth[k], `${previous} ${intervention}: ${text} against ${truth[k]}`).toBe(true));
      shown += texts.filter((t) => t !== "suppressed").length;
    }
    expect(shown).toBeGreaterThan(0);
    // Coverage: the place's high-risk students, the store's own count where shown.
    const high = scores.filter((s) => s.tier === "high").length;
    const first = await page.locator("#coverage-rows tr").first().locator("td").allTextContents();
    expect(first[0] === "suppressed" || first[0] === String(high)).toBe(true);
    expect(await serious(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });
});
