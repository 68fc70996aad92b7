import type { Server } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchChromium } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { TermStore } from "../../src/store/termStore.ts";
import type { Stores } from "../../src/store/stores.ts";
import { newTestToken } from "../support/serviceFixture.ts";
import { milestoneNames, milestones, type Role, type RollupCell } from "../../src/core/index.ts";

/**
 * The pages end to end: a real term published by the CLI, the real app on port 0, and Debian's
 * Chromium driven by playwright-core (never a downloaded browser). One screenshot of each page
 * goes to the temp dir; set EWIS_KEEP_WEB_TEST=1 to keep it and look at them.
 */
const root = join(import.meta.dirname, "..", "..");
// The pages' words for milestones are the core's labels: the page must show exactly these.
const milestoneWords: Record<string, string> = Object.fromEntries(milestoneNames.map((m) => [m, milestones[m].label]));
const csvHeader = "student_id,school_year,term,district_id,school_id,grade,milestone,risk,tier,previous_tier,change,drivers,already_decided,scored_with,first_name,last_name,local_id";

let work: string;
let stores: Stores;
let store: TermStore;
let server: Server;
let browser: Browser;
let base: string;
let termId: number;
/** The counselor's school (the one with the most scores, so the list has several pages) and a school of another district. */
let school: string;
let district: string;
let otherSchool: string;
const tokens = {} as Record<"counselor" | "district_admin" | "state_admin", string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-web-"));
  const db = join(work, "ewis.db");
  const history = join(root, "fixtures", "state-small.csv");
  // Two terms, so the pages show changes and a tier history.
  for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", join(root, "models"), "--db", db], () => {})).toBe(0);
  }
  stores = await openStores(db);
  store = stores.terms;
  termId = (await store.latestTerm())!.id;
  const schools = (await store.places(termId, { all: true })).filter((p) => p.school_id !== "");
  const sizes = new Map<string, number>();
  for (const p of schools) sizes.set(p.school_id, (await store.riskList(termId, { school_id: p.school_id })).length);
  const size = (s: string) => sizes.get(s)!;
  const biggest = schools.reduce((a, b) => (size(b.school_id) > size(a.school_id) ? b : a));
  school = biggest.school_id;
  district = biggest.district_id;
  otherSchool = schools.find((p) => p.district_id !== district)!.school_id;
  const grant = (role: Role, schools: string[], districts: string[]) => newTestToken(stores.tokens, { name: `web ${role}`, role, schools, districts, studentGrant: false });
  tokens.counselor = await grant("counselor", [school], []);
  tokens.district_admin = await grant("district_admin", [], [district]);
  tokens.state_admin = await grant("state_admin", [], []);
  server = await listen(createApp({ stores }), 0);
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stores?.close();
  if (process.env.EWIS_KEEP_WEB_TEST) console.log(`web test screenshots in ${work}`);
  else if (work) await rm(work, { recursive: true, force: true });
});

interface Tab {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors, but not the 401/403/404 answers the pages expect and handle. */
  problems: string[];
}

async function openTab(): Promise<Tab> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[134]/.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

interface StudentView {
  scores: { milestone: string; tier: string; drivers: { text: string }[]; prior: { text: string } | null }[];
  indicators: { text: string }[];
  history: unknown[];
}

async function apiGet<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** Waits until the list (or rollup table) has finished loading what the last control asked for. */
const settled = (page: Page, table: string) => page.locator(`${table}[aria-busy="false"]`).waitFor({ state: "attached" });
const column = (page: Page, n: number) => page.locator(`#rows tr > :nth-child(${n})`).allTextContents();

describe("the pages in headless Chromium", () => {
  it("refuses a bad token on the sign-in page", async () => {
    const { context, page, problems } = await openTab();
    await signIn(page, "ewis_not-a-token-anyone-was-given");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/not accepted/);
    expect(new URL(page.url()).pathname).toMatch(/^\/(index\.html)?$/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.locator("input#token").getAttribute("type")).toBe("password");
    await page.screenshot({ path: join(work, "index.png") });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("signs a counselor in to their school's risk list, filters it, pages it and exports it", async () => {
    const { context, page, problems } = await openTab();
    const asked: string[] = [];
    page.on("request", (r) => asked.push(new URL(r.url()).pathname));
    await signIn(page, tokens.counselor);
    await page.waitForURL(/\/list\.html/);
    // Signing in asked who the holder is, and read no student before the list page opened.
    const signingIn = asked.slice(0, asked.findIndex((p) => p.startsWith("/list")));
    expect(signingIn.filter((p) => p.startsWith("/api/"))).toEqual(["/api/v1/sign-in", "/api/v1/me"]);
    await settled(page, "#list");
    const all = await store.riskList(termId, { school_id: school });
    expect(all.length).toBeGreaterThan(50);

    // Only the counselor's school, highest risk first, 50 a page; "More" adds the next page.
    expect(new Set(await column(page, 4))).toEqual(new Set([school]));
    expect(await column(page, 1)).toEqual(all.slice(0, 50).map((s) => s.student_id));
    expect(await page.getByRole("link", { name: "Sign out" }).isVisible()).toBe(true);
    await page.screenshot({ path: join(work, "list.png") });
    await page.getByRole("button", { name: "More" }).click();
    await settled(page, "#list");
    expect(await column(page, 1)).toEqual(all.slice(0, 100).map((s) => s.student_id));

    // Tier high: every row high, the same rows as the store gives.
    await page.getByLabel("Tier").selectOption("high");
    await settled(page, "#list");
    const high = all.filter((s) => s.tier === "high");
    expect(new Set(await column(page, 7))).toEqual(new Set(["high"]));
    expect(await column(page, 1)).toEqual(high.slice(0, 50).map((s) => s.student_id));

    // And one milestone: its name in words on every row.
    const milestone = [...new Set(high.map((s) => s.milestone))].at(-1)!;
    await page.getByLabel("Milestone").selectOption(milestone);
    await settled(page, "#list");
    const highOfMilestone = high.filter((s) => s.milestone === milestone);
    expect(highOfMilestone.length).toBeGreaterThan(0);
    expect(new Set(await column(page, 5))).toEqual(new Set([milestoneWords[milestone]]));
    expect(await column(page, 1)).toEqual(highOfMilestone.slice(0, 50).map((s) => s.student_id));
    expect(new URL(page.url()).searchParams.get("tier")).toBe("high");

    // The export: the same filters as CSV, saved through a download.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("risk-list-2027-fall.csv");
    const [header, ...lines] = (await readFile((await download.path())!, "utf8")).trimEnd().split("\n");
    expect(header).toBe(csvHeader);
    expect(lines.map((l) => l.split(",")[0])).toEqual(highOfMilestone.map((s) => s.student_id));
    for (const line of lines) {
      const cells = line.split(",");
      expect([cells[1], cells[2], cells[4], cells[6], cells[8]]).toEqual(["2027", "fall", school, milestone, "high"]);
    }

    // "Became high risk": tier high and up since last term.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await settled(page, "#list");
    await page.getByRole("button", { name: "Became high risk" }).click();
    await settled(page, "#list");
    const became = all.filter((s) => s.tier === "high" && s.change === "up");
    expect(await column(page, 1)).toEqual(became.slice(0, 50).map((s) => s.student_id));
    if (became.length > 0) expect(new Set(await column(page, 8))).toEqual(new Set(["▲ up"]));
    expect(problems).toEqual([]);
    await context.close();
  });

  it("opens a student from the list: milestone cards with drivers in words, indicator values and tier history", async () => {
    const { context, page, problems } = await openTab();
    await signIn(page, tokens.counselor);
    await page.waitForURL(/\/list\.html/);
    await settled(page, "#list");
    const first = page.locator("#rows a").first();
    const id = (await first.textContent())!;
    await first.click();
    await page.waitForURL(/\/student\.html\?id=/);
    await page.locator(".card").first().waitFor();
    const detail = await apiGet<StudentView>(`/students/${id}`, tokens.counselor);

    expect(await page.locator("h1").textContent()).toBe(`Student ${id}`);
    expect(await page.locator(".facts").first().textContent()).toContain(school);
    const cards = page.locator(".card");
    expect(await cards.count()).toBe(detail.scores.length);
    for (const [k, score] of detail.scores.entries()) {
      const card = cards.nth(k);
      expect(await card.locator("h3").textContent()).toBe(milestoneWords[score.milestone]);
      if (score.prior) expect(await card.locator(".prior").textContent()).toBe(`Already decided: ${score.prior.text}.`);
      expect(await card.locator(".tier").textContent()).toBe(score.tier);
      const drivers = await card.locator(".drivers li").allTextContents();
      expect(drivers).toEqual(score.drivers.map((d) => d.text));
      for (const text of drivers) expect(text).not.toMatch(/=|:\+|_/); // words, not the compact form
    }
    expect(detail.scores.some((s) => s.drivers.length > 0)).toBe(true);
    const indicatorTable = page.locator("table", { has: page.locator("caption", { hasText: "values behind the scores" }) });
    expect(await indicatorTable.locator("tbody td").allTextContents()).toEqual(detail.indicators.map((i) => i.text));
    const historyTable = page.locator("table", { has: page.locator("caption", { hasText: "every published term" }) });
    expect(await historyTable.locator("tbody tr").count()).toBe(detail.history.length);
    expect(detail.history.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(work, "student.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a counselor nothing of a student in another school", async () => {
    const { context, page, problems } = await openTab();
    await signIn(page, tokens.counselor);
    await page.waitForURL(/\/list\.html/);
    const other = (await store.riskList(termId, { school_id: otherSchool }, { all: true }, { limit: 1 }))[0];
    await page.goto(`${base}/student.html?id=${other.student_id}`);
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("No student with that ID in your schools this term");
    expect(await page.locator("#student").isHidden()).toBe(true);
    expect(await page.locator("#student").innerHTML()).toBe("");
    const text = await page.locator("body").innerText();
    for (const leak of [otherSchool, other.district_id, milestoneWords[other.milestone], "Milestones", "%"]) expect(text).not.toContain(leak);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("left an audit record for every student-level page read", async () => {
    const trail = (await stores.audit.trail(10_000)).filter((a) => a.token_name === "web counselor");
    // The student page reads the student, their plans and their notes: three audited reads.
    expect(new Set(trail.map((a) => a.route))).toEqual(new Set(["GET /students", "GET /students/:id", "GET /students/:id/plans", "GET /students/:id/notes", "GET /students (csv)"]));
    expect(trail.filter((a) => a.route === "GET /students/:id").every((a) => a.students.length === 1)).toBe(true);
  });

  it("sends a token that sees rollups only (a state admin) to the rollups, the state first", async () => {
    const { context, page, problems } = await openTab();
    await signIn(page, tokens.state_admin);
    await page.waitForURL(/\/rollup\.html/);
    await settled(page, "#cells");
    expect(await page.getByRole("link", { name: "Risk list" }).isVisible()).toBe(false);
    expect(await page.getByLabel("Place").inputValue()).toBe("state");
    expect(await page.locator("#caption").textContent()).toMatch(/, State, all grades, by low income$/);
    expect(await page.locator("#rows tr").count()).toBeGreaterThan(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a district admin a school's rollup by race/ethnicity: suppressed cells marked, never 0, and a chart without them", async () => {
    const { context, page, problems } = await openTab();
    await signIn(page, tokens.district_admin);
    await page.waitForURL(/\/list\.html/); // a district admin reads students
    await page.getByRole("link", { name: "Rollups" }).click();
    await page.waitForURL(/\/rollup\.html/);
    await settled(page, "#cells");
    const places = await page.locator("#place option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    const schools = (await store.places(termId, { all: true })).filter((p) => p.district_id === district && p.school_id !== "");
    expect(places).toEqual([`district:${district}`, ...schools.map((p) => `school:${p.school_id}`)]); // no state

    // A school and milestone whose everyone-row is published whole and whose race/ethnicity
    // table hides something: the chart has bars, and some values are left out of it.
    const complete = (c: RollupCell) => c.share_low !== null && c.share_moderate !== null && c.share_high !== null;
    const everyone = (await store.rollups(termId, { scope: "school", district_id: district, grade: "all", dimension: "all" })).filter(complete);
    // and whose race/ethnicity table hides numbers for both reasons: small, and protecting one.
    let pick: RollupCell | undefined;
    for (const e of everyone) {
      const race = await store.rollups(termId, { scope: "school", school_id: e.school_id, milestone: e.milestone, grade: "all", dimension: "race_ethnicity" });
      if (race.some((c) => c.suppressed_small!.length > 0) && race.some((c) => c.suppressed.some((f) => !c.suppressed_small!.includes(f)))) {
        pick = e;
        break;
      }
    }
    if (!pick) throw new Error(`no school of ${district} has a whole everyone-row and race/ethnicity cells hidden for both reasons`);
    await page.getByLabel("Place").selectOption(`school:${pick.school_id}`);
    await settled(page, "#cells");
    await page.getByLabel("Subgroups").selectOption("race_ethnicity");
    await settled(page, "#cells");
    await page.getByLabel("Milestone").selectOption(pick.milestone);
    const { cells } = await apiGet<{ cells: RollupCell[] }>(`/schools/${pick.school_id}/rollup?grade=all&dimension=race_ethnicity&milestone=${pick.milestone}`, tokens.district_admin);
    const rows = page.locator("#rows tr");
    expect(await rows.count()).toBe(cells.length + 1); // everyone first, then each value
    expect(await rows.first().locator("th").textContent()).toBe("All students");
    const fields = ["n", "low", "moderate", "high", "mean_risk"] as const;
    const reasons = { small: 0, protecting: 0 };
    for (const [k, cell] of cells.entries()) {
      const shown = await rows.nth(k + 1).locator("td").allTextContents();
      fields.forEach((field, f) => {
        if (cell[field] === null) {
          // The page says why, as the store recorded it: a mean is hidden with its group's size.
          const small = cell.suppressed_small!.includes(field === "mean_risk" ? "n" : field);
          expect(shown[f]).toBe(small ? "suppressed: under 10" : "suppressed: protects a small count");
          reasons[small ? "small" : "protecting"]++;
        } else {
          expect(shown[f]).not.toMatch(/suppressed/);
          expect(shown[f]).toMatch(field === "mean_risk" ? /^\d+ %$/ : new RegExp(`^${cell[field]}( \\(\\d+ %\\))?$`));
        }
      });
    }
    expect(reasons.small).toBeGreaterThan(0);
    expect(reasons.protecting).toBeGreaterThan(0);
    expect(await page.locator("#legend").textContent()).toMatch(/suppressed: under 10: the number counts fewer than 10 students.*suppressed: protects a small count: .*would give a small one away/);

    // The chart: everyone, then the values whose three shares are all published; a note names the others.
    const canvas = page.locator("canvas#chart");
    expect((await canvas.boundingBox())!.width).toBeGreaterThan(300);
    const labels = await page.evaluate(() => {
      const { Chart } = window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[] } } } };
      return Chart.getChart(document.getElementById("chart") as HTMLCanvasElement).data.labels;
    });
    const drawn = cells.filter(complete);
    expect(labels.length).toBe(1 + drawn.length);
    expect(labels[0]).toBe("All students");
    expect(await page.locator("#chart-note").textContent()).toMatch(/Left out because some of their numbers are suppressed: \S/);
    await page.screenshot({ path: join(work, "rollup.png"), fullPage: true });

    await page.getByRole("link", { name: "Sign out" }).click();
    await page.waitForURL(/\/index\.html/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.goto(`${base}/rollup.html`);
    await page.waitForURL(/\/index\.html/); // signed out: back to sign-in
    expect(problems).toEqual([]);
    await context.close();
  });
});
