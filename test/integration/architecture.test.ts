import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

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

  it("has no import cycle anywhere in the product, type-only imports included", () => {
    const files = ["src", "training", "bench"].flatMap(sources);
    const known = new Set(files);
    const edges = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .filter((spec) => spec.startsWith("."))
          .map((spec) => join(file, "..", spec))
          .filter((target) => known.has(target)),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      path.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next].join(" → "));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
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
