import type { Server } from "node:http";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.ts";
import { issueToken } from "../src/cli/serviceCommands.ts";
import { createApp } from "../src/http/createApp.ts";
import { listen } from "../src/http/server.ts";
import { SqliteScoreStore } from "../src/store/sqliteScoreStore.ts";

const root = join(import.meta.dirname, "..");
const SCHOOL = "D0001-E01";
const OTHER_SCHOOL = "D0004-E01";

let work: string;
let store: SqliteScoreStore;
let server: Server;
let browser: Browser;
let base: string;
let counselor: string;
let districtAdmin: string;
let otherStudent: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-web-"));
  const db = join(work, "ewis.db");
  const history = join(root, "fixtures", "state-small.csv");
  for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", join(root, "models"), "--db", db], () => {})).toBe(0);
  }
  store = new SqliteScoreStore(db);
  counselor = issueToken(store, { name: "web counselor", role: "counselor", schools: [SCHOOL], districts: [], studentGrant: false });
  districtAdmin = issueToken(store, { name: "web district admin", role: "district_admin", schools: [], districts: ["D0001"], studentGrant: false });
  otherStudent = store.riskList(store.latestTerm()!.id, { school_id: OTHER_SCHOOL }, { all: true }, { limit: 1 })[0].student_id;
  server = await listen(createApp({ store }), 0);
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  store?.close();
});

async function signIn(token: string): Promise<Page> {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 40[34]/.test(message.text())) errors.push(message.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${base}/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  return page;
}

const pageErrors = (page: Page) => (page as Page & { errors: string[] }).errors;

describe("the pages in Chromium", () => {
  it("signs a counselor in to their school's risk list, filters it and opens a student", async () => {
    const page = await signIn(counselor);
    await page.waitForURL(/list\.html/);
    await page.locator("#rows tr").first().waitFor();
    const schools = await page.locator("#rows tr td:nth-child(3)").allTextContents();
    expect(schools.length).toBeGreaterThan(0);
    expect(new Set(schools)).toEqual(new Set([SCHOOL]));

    await page.selectOption("select[name=tier]", "high");
    await page.selectOption("#milestone", "early_literacy");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForFunction(() => [...document.querySelectorAll("#rows tr td:nth-child(6)")].every((td) => td.textContent === "high"));
    const milestones = await page.locator("#rows tr td:nth-child(4)").allTextContents();
    expect(milestones.length).toBeGreaterThan(0);
    expect(new Set(milestones)).toEqual(new Set(["Reading by grade 3"]));
    const why = await page.locator("#rows tr td:nth-child(8) li").first().textContent();
    expect(why).toMatch(/[a-z]{3,}/);
    await page.screenshot({ path: join(work, "list.png"), fullPage: true });

    const first = page.locator("#rows tr td:nth-child(1) a").first();
    const id = await first.textContent();
    await first.click();
    await page.waitForURL(/student\.html/);
    await expect(page.locator("h1").textContent()).resolves.toBe(`Student ${id}`);
    await page.locator(".card").first().waitFor();
    expect(await page.locator(".card h3").allTextContents()).toContain("Reading by grade 3");
    expect(await page.locator("h2").allTextContents()).toEqual(["Milestones", "Indicators", "Tier history"]);
    await page.screenshot({ path: join(work, "student.png"), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("exports the filtered list as CSV with only the counselor's school", async () => {
    const page = await signIn(counselor);
    await page.waitForURL(/list\.html/);
    await page.locator("#rows tr").first().waitFor();
    await page.selectOption("select[name=tier]", "high");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    const csv = await readFile((await download.path()) as string, "utf8");
    const [header, ...lines] = csv.trim().split("\n");
    expect(header).toBe("student_id,school_year,term,district_id,school_id,grade,milestone,risk,tier,previous_tier,change,drivers");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const cells = line.split(",");
      expect(cells[4]).toBe(SCHOOL);
      expect(cells[8]).toBe("high");
    }
    await page.close();
  });

  it("shows a counselor nothing of a student in another school", async () => {
    const page = await signIn(counselor);
    await page.waitForURL(/list\.html/);
    await page.goto(`${base}/student.html?id=${otherStudent}`);
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toBe("No student with that ID in your schools this term.");
    expect(await page.locator(".card").count()).toBe(0);
    expect(await page.content()).not.toContain(OTHER_SCHOOL);
    await page.close();
  });

  it("refuses a bad token on the sign-in page", async () => {
    const page = await signIn("ewis_not-a-token-anyone-was-given");
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toMatch(/not accepted/);
    expect(page.url()).toMatch(/\/(index\.html)?$/);
    await page.close();
  });

  it("left an audit record for every student-level page read", () => {
    const trail = store.auditTrail(10_000).filter((a) => a.token_name === "web counselor");
    const routes = new Set(trail.map((a) => a.route));
    expect(routes).toEqual(new Set(["GET /students", "GET /students/:id", "GET /students (csv)"]));
    expect(trail.filter((a) => a.route === "GET /students/:id").every((a) => a.students.length === 1)).toBe(true);
  });

  it("shows a district admin a rollup with a chart and suppressed cells marked, never as zero", async () => {
    const page = await signIn(districtAdmin);
    await page.waitForURL(/list\.html/);
    await page.goto(`${base}/rollup.html`);
    await page.locator("#place option").first().waitFor({ state: "attached" });
    await page.selectOption("#place", `/schools/${SCHOOL}/rollup`);
    await page.selectOption("#dimension", "race_ethnicity");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#cells tr").length > 2);
    expect(await page.locator("#cells .suppressed").count()).toBeGreaterThan(0);
    expect(await page.locator("#legend").textContent()).toMatch(/fewer than 10 students/);
    const box = await page.locator("#chart").boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    await page.screenshot({ path: join(work, "rollup.png"), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});
