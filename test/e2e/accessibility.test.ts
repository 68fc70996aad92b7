import { type Browser, type Page } from "playwright-core";
import { launchChromium, seriousViolations } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A1, startService, type Service } from "../support/serviceFixture.ts";

/**
 * WCAG 2.1 AA on every page, by axe-core in Chromium (no serious or critical violation), and
 * each page walked by keyboard alone: a counselor signs in, filters the list, opens a student
 * and signs out without a pointer.
 */
let service: Service;
let browser: Browser;

beforeAll(async () => {
  service = await startService("ewis-a11y-");
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

async function tab(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

async function signInWith(page: Page, token: string) {
  await page.goto(`${service.base}/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const violations = seriousViolations;

const loaded = (page: Page, table: string) => page.locator(`${table}[aria-busy="false"]`).waitFor({ state: "attached" });

describe("every page, by axe-core in Chromium", () => {
  it("the sign-in page, with and without its error", async () => {
    const page = await tab();
    await page.goto(`${service.base}/`);
    expect(await violations(page)).toEqual([]);
    await signInWith(page, "ewis_not-a-token-anyone-was-given");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/not accepted/);
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });

  it("the risk list, the student page and the rollups", async () => {
    const page = await tab();
    await signInWith(page, service.tokens.district_admin);
    await page.waitForURL(/\/list\.html/);
    await loaded(page, "#list");
    expect(await violations(page)).toEqual([]);
    await page.locator("#rows a").first().click();
    await page.waitForURL(/\/student\.html/);
    await page.locator("#student:not([hidden])").waitFor();
    expect(await violations(page)).toEqual([]);
    await page.getByRole("link", { name: "Rollups" }).click();
    await page.waitForURL(/\/rollup\.html/);
    await loaded(page, "#cells");
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });
});

describe("the pages by keyboard alone", () => {
  /** Presses Tab until `name` has the focus (at most 60 times), then says which element it is. */
  async function tabTo(page: Page, name: RegExp): Promise<string> {
    for (let k = 0; k < 60; k++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        const label = e?.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent : undefined;
        return e ? `${e.tagName.toLowerCase()} ${label ?? e.getAttribute("aria-label") ?? e.textContent ?? ""}`.trim() : "";
      });
      if (name.test(focused)) return focused;
    }
    throw new Error(`Tab never reached ${name}`);
  }

  it("signs a counselor in, filters the list, opens a student and signs out", async () => {
    const page = await tab();
    await page.goto(`${service.base}/`);
    await tabTo(page, /^input API token/);
    await page.keyboard.type(service.tokens.counselor);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/list\.html/);
    await loaded(page, "#list");

    // A filter chosen from the keyboard: focus the tier select, pick "High" with the arrow keys.
    await tabTo(page, /^select Tier/);
    await page.keyboard.press("ArrowDown");
    await loaded(page, "#list");
    await expect.poll(async () => new Set(await page.locator("#rows tr > :nth-child(7)").allTextContents())).toEqual(new Set(["high"]));
    expect(new Set(await page.locator("#rows tr > :nth-child(4)").allTextContents())).toEqual(new Set([A1]));

    // The first student's link, reached and opened with Enter; focus is visible on it.
    const link = await tabTo(page, /^a S\d+/);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/student\\.html\\?id=${link.split(" ")[1]}`));
    await page.locator("#student:not([hidden])").waitFor();

    await tabTo(page, /^a Sign out/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/(index\.html)?$/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.context().close();
  });

  it("changes a rollup's place and subgroups from the keyboard", async () => {
    const page = await tab();
    await signInWith(page, service.tokens.state_admin);
    await page.waitForURL(/\/rollup\.html/);
    await loaded(page, "#cells");
    const caption = await page.locator("#caption").textContent();
    await tabTo(page, /^select Subgroups/);
    await page.keyboard.press("ArrowDown");
    await loaded(page, "#cells");
    await expect.poll(() => page.locator("#caption").textContent()).not.toBe(caption);
    await page.context().close();
  });
});
