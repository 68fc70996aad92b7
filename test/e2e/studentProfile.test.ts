import { type Browser } from "playwright-core";
import { launchChromium } from "../support/chromium.ts";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { milestones, type Milestone } from "../../src/core/index.ts";
import { A1, apiGet, startService, type Service } from "../support/serviceFixture.ts";

/**
 * The printed student profile a counselor brings to a family or support-team meeting: the
 * student page printed to PDF by Chromium (print stylesheet), its text read back.
 */
let service: Service;
let browser: Browser;

beforeAll(async () => {
  service = await startService("ewis-profile-");
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

/**
 * The PDF's text with every space taken out: the text runs of a PDF split words where a
 * ligature ("fi") or a line ends, so what is compared is the characters in order.
 */
async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const doc = await getDocument({ data: new Uint8Array(pdf) }).promise;
  const parts: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    parts.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "));
  }
  return { pages: doc.numPages, text: squash(parts.join("")) };
}

const squash = (text: string) => text.replace(/\s+/g, "");

interface StudentAnswer {
  term: { school_year: number; label: string; finished_at: string };
  student: { student_id: string; school_id: string };
  scores: { milestone: Milestone; tier: string; risk: number; drivers: { text: string }[] }[];
  indicators: { text: string }[];
  history: { school_year: number; label: string }[];
}

describe("the printed student profile", () => {
  it("holds the milestones, the risk in words, the drivers, the tier history, the indicators, the term and the date, and none of the site", async () => {
    // A student with more than one term of history, so the history has rows to show.
    const id = service.students.inA1;
    const answer = (await apiGet(service, `/students/${id}`, "counselor")).body as StudentAnswer;
    expect(answer.student.school_id).toBe(A1);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${service.base}/`);
    await page.getByLabel("API token").fill(service.tokens.counselor);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/list\.html/);
    await page.goto(`${service.base}/student.html?id=${id}`);
    await page.locator("#student:not([hidden])").waitFor();
    expect(await page.getByRole("button", { name: "Print profile" }).isVisible()).toBe(true);
    const { pages, text } = await pdfText(await page.pdf({ format: "Letter", printBackground: false }));
    await context.close();

    const termWords = (t: { school_year: number; label: string }) => `${t.school_year - 1}–${String(t.school_year).slice(-2)} ${t.label}`;
    const printed = new Intl.DateTimeFormat("en-US", { dateStyle: "long" }).format(new Date());
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(text).toContain(squash(`Student ${id}`));
    expect(text).toContain(squash(`term ${termWords(answer.term)} (published ${answer.term.finished_at.slice(0, 10)}) · printed ${printed}`));
    for (const score of answer.scores) {
      const name = milestones[score.milestone].label;
      expect(text).toContain(squash(name));
      const inHundred = Math.max(1, Math.min(99, Math.round(score.risk * 100)));
      const tier = score.tier[0].toUpperCase() + score.tier.slice(1);
      expect(text).toContain(squash(`${tier} risk: of 100 students with a record like this one, about ${inHundred} would not reach “${name}”.`));
      for (const driver of score.drivers) expect(text).toContain(squash(driver.text));
    }
    expect(text).toContain("Tierhistory");
    for (const h of answer.history) expect(text).toContain(squash(termWords(h)));
    expect(text).toContain("Indicatorvalues");
    for (const i of answer.indicators) expect(text).toContain(squash(i.text));
    for (const site of ["Sign out", "Rollups", "Risk list", "Print profile"]) expect(text).not.toContain(squash(site));
  });
});
