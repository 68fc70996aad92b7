import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Browser } from "playwright-core";
import { launchChromium } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { A1, publishedStore, root } from "../support/serviceFixture.ts";

/**
 * The newcomer's way in, as the README tells it: `ewis serve --demo-sign-in` registers one
 * person per role and runs a demo identity provider; in Chromium, each signs in through it, with
 * no token pasted anywhere, and lands where their role starts.
 */
let db: string;
let browser: Browser;

beforeAll(async () => {
  db = await publishedStore("ewis-demo-sign-in-");
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (db) await rm(dirname(db), { recursive: true, force: true });
});

/** `ewis serve --demo-sign-in` on a free port; resolves once it says where it serves. */
async function serve(): Promise<{ child: ChildProcess; base: string; out: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [join(root, "bin", "ewis.js"), "serve", "--db", db, "--port", "0", "--demo-sign-in"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const deadline = Date.now() + 30_000;
  while (!/ewis serving .* on (http:\/\/127\.0\.0\.1:\d+)\//.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const base = / on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
  if (!base) throw new Error(`ewis serve did not start: ${err}${out}`);
  const stop = async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    return exited;
  };
  return { child, base, out: () => out, stop };
}

describe("ewis serve --demo-sign-in", () => {
  it("signs in each role through the demo identity provider, to where that role starts", async () => {
    const served = await serve();
    try {
      expect(served.out()).toContain('choose "Sign in with your district account"');
      expect(served.out()).toContain("demo interventions catalog: Attendance mentoring, Tutoring, Check-in/check-out, Family meeting");
      for (const [role, lands] of [
        ["demo counselor", /\/list\.html$/],
        ["demo school admin", /\/list\.html$/],
        ["demo district admin", /\/list\.html$/],
        ["demo state admin", /\/rollup\.html$/],
      ] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${served.base}/`);
        await page.getByRole("link", { name: "Sign in with your district account" }).click();
        await page.getByRole("button", { name: new RegExp(`^Sign in as ${role} \\(`) }).click();
        await page.waitForURL(lands);
        const me = await page.evaluate(async () => (await fetch("/api/v1/me")).json());
        expect(me).toMatchObject({ name: role, signed_in_with: "session" });
        if (role === "demo counselor") {
          await page.locator('#list[aria-busy="false"]').waitFor({ state: "attached" });
          expect(new Set(await page.locator("#rows tr > :nth-child(4)").allTextContents())).toEqual(new Set([A1]));
        }
        await context.close();
      }
    } finally {
      expect(await served.stop()).toBe(0);
    }
    // Served again, the store keeps its four people rather than adding four more.
    const again = await serve();
    expect(await again.stop()).toBe(0);
    const lines: string[] = [];
    expect(await main(["node", "ewis", "user", "list", "--db", db], (l) => lines.push(l))).toBe(0);
    expect(lines.slice(1).map((l) => l.split(",")[3])).toEqual(["demo-counselor", "demo-school-admin", "demo-district-admin", "demo-state-admin"]);
  }, 120_000);
});
