import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const importsOf = (file: string) =>
  [...readFileSync(join(root, file), "utf8").matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);

describe("architecture", () => {
  it("keeps src/core pure: no I/O, no Express, no CSV parser, no database, no process.env", () => {
    const forbidden = /^(node:|fs$|path$|express|csv-parse|csv-stringify|better-sqlite3|commander)/;
    const offences = sources("src/core").flatMap((file) => [
      ...importsOf(file)
        .filter((spec) => forbidden.test(spec))
        .map((spec) => `${file} imports ${spec}`),
      ...(readFileSync(join(root, file), "utf8").includes("process.env") ? [`${file} reads process.env`] : []),
    ]);
    expect(offences).toEqual([]);
  });

  it("lets the rest of the product into core only through src/core/index.ts", () => {
    const offences = ["src/io", "src/cli", "training"].flatMap(sources).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /\/core\//.test(spec) && !spec.endsWith("/core/index.ts"))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it("never imports from outside core into core", () => {
    const offences = sources("src/core").flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("..") && !join(file, "..", spec).startsWith("src/core"))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });
});
