import type { Server } from "node:http";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser } from "playwright-core";
import { launchChromium, seriousViolations } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rosterHeader, rosterLine } from "../../fixtures/synthetic/names.ts";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import { A1, newTestToken, portOf, root } from "../support/serviceFixture.ts";

/**
 * The roster's names in Chromium: the counselor's list shows them and searches them, the
 * student page is headed by one, and no address (the page's, or any the page asks the API for)
 * and no title ever holds one: addresses go into histories and proxies' logs.
 */
let work: string;
let stores: Stores;
let server: Server;
let browser: Browser;
let base: string;
let token: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-names-web-"));
  const db = join(work, "ewis.db");
  const history = join(root, "fixtures", "state-small.csv");
  const ids = [...new Set((await readFile(history, "utf8")).split("\n").slice(1).filter(Boolean).map((l) => l.split(",")[0]))];
  const roster = join(work, "roster.csv");
  await writeFile(roster, `${rosterHeader}\n${ids.map(rosterLine).join("\n")}\n`);
  expect(await main(["node", "ewis", "run-term", "--history", history, "--roster", roster, "--year", "2027", "--term", "fall", "--models", join(root, "models"), "--db", db], () => {})).toBe(0);
  stores = await openStores(db);
  token = await newTestToken(stores.tokens, { name: "web names", role: "counselor", schools: [A1], districts: [], studentGrant: false });
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

describe("names on the pages", () => {
  it("lists, searches and heads a student by name, with no name in the address or the title", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const visited: string[] = [];
    page.on("framenavigated", (frame) => visited.push(frame.url()));
    // Every address the page asks for, API calls included: a name searched for goes in a body, not there.
    page.on("request", (request) => visited.push(request.url()));
    await page.goto(`${base}/`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/list\.html/);
    const settled = () => page.locator('#list[aria-busy="false"]').waitFor({ state: "attached" });
    await settled();
    const term = (await stores.terms.latestTerm())!;
    const all = await stores.terms.riskList(term.id, { school_id: A1 });
    const names = await stores.terms.namesOf(term.id, all.map((s) => s.student_id));
    const firstShown = names.get(all[0].student_id)!;
    expect((await page.locator("#rows tr > :nth-child(2)").first().textContent())).toBe(`${firstShown.last_name}, ${firstShown.first_name}local ID ${firstShown.local_id}`);

    // Search a last name: every row is one of the school's students of that name.
    const wanted = firstShown.last_name;
    await page.getByLabel("Name or local ID").fill(wanted.toUpperCase());
    await page.getByLabel("Name or local ID").press("Enter");
    await expect.poll(async () => new Set((await page.locator("#rows tr > :nth-child(2)").allTextContents()).map((t) => t.split(",")[0]))).toEqual(new Set([wanted]));
    const expected = all.filter((s) => names.get(s.student_id)?.last_name === wanted || names.get(s.student_id)?.first_name.startsWith(wanted));
    expect(await page.locator("#rows tr > :nth-child(1)").allTextContents()).toEqual(expected.slice(0, 50).map((s) => s.student_id));
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator("#rows tr a").first().click();
    await page.locator("#student:not([hidden])").waitFor();
    expect(await page.locator("h1").textContent()).toBe(`${firstShown.first_name} ${firstShown.last_name}`);
    expect(await page.locator(".facts").first().textContent()).toContain(`Student ID${all[0].student_id}`);
    expect(await page.title()).not.toContain(firstShown.last_name);
    for (const url of [...visited, page.url()]) expect(decodeURIComponent(url).toLowerCase()).not.toContain(wanted.toLowerCase());
    await context.close();
  });
});
