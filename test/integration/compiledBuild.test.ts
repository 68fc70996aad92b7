import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { freshBuild } from "../../bin/freshBuild.js";
import { root } from "../support/serviceFixture.ts";

const run = promisify(execFile);

/**
 * The shipped start-up: installs build dist/ (`prepare`), bin/ewis.js runs it while it is newer
 * than every source, and the sources through tsx as soon as one is edited.
 */
describe("the compiled build", () => {
  it("is built by the install and runs with no TypeScript loader at all", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ewis-dist-")), "tiny.csv");
    // Node 20 cannot load a .ts file without a loader: this only runs if every module is compiled.
    const script = `const { main } = await import(${JSON.stringify(join(root, "dist", "src", "cli", "main.js"))}); process.exitCode = await main(["node", "ewis", "generate", "--students", "200", "--seed", "3", "--out", ${JSON.stringify(out)}]);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: tmpdir() });
    expect(stdout).toMatch(/200 students, \d+ student-year rows written/);
  });

  it("is run only while it is newer than every source and its build settings", () => {
    const pkg = mkdtempSync(join(tmpdir(), "ewis-fresh-"));
    for (const dir of ["src/cli", "training", "fixtures/synthetic", "dist"]) mkdirSync(join(pkg, dir), { recursive: true });
    const files = ["src/cli/main.ts", "training/trainAll.ts", "fixtures/synthetic/generate.ts", "tsconfig.build.json"];
    for (const f of files) writeFileSync(join(pkg, f), "");
    const at = (f: string, seconds: number) => utimesSync(join(pkg, f), seconds, seconds);
    for (const f of files) at(f, 1_000);
    expect(freshBuild(pkg)).toBe(false); // no stamp: no whole build
    writeFileSync(join(pkg, "dist", "built"), "");
    at("dist/built", 2_000);
    expect(freshBuild(pkg)).toBe(true);
    for (const f of files) {
      at(f, 3_000);
      expect(freshBuild(pkg), f).toBe(false);
      at(f, 1_000);
    }
    expect(freshBuild(pkg)).toBe(true);
  });
});
