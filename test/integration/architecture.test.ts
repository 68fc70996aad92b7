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
    // src/parallel is the fit's own worker and reads the row pass directly, as the fit does.
    const offences = ["src/app", "src/cli", "src/http", "src/io", "src/store", "training", "bench"].flatMap(sources).flatMap((file) =>
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

  it("keeps each layer to the layers below it: use cases above stores' ports, adapters above use cases", () => {
    /** What each folder may import from the product, by folder (or file) prefix. */
    const allowed: Record<string, string[]> = {
      "src/io": ["src/core", "src/io"],
      "src/store": ["src/core", "src/store"],
      "src/app": ["src/core", "src/app", "src/io", "src/store/termStore.ts", "src/store/tokenStore.ts", "src/store/userStore.ts", "src/store/sessionStore.ts", "src/store/caseworkStore.ts", "src/store/auditTrail.ts", "src/store/stores.ts"],
      // The service makes casework's state-wide tables on worker threads (src/parallel/tableWorkers.ts).
      "src/http": ["src/core", "src/app", "src/http", "src/io", "src/parallel/tableWorkers.ts", "src/store/termStore.ts", "src/store/tokenStore.ts", "src/store/caseworkStore.ts", "src/store/auditTrail.ts", "src/store/stores.ts"],
      "src/demo": ["src/demo"],
      // A term run scores on a worker thread (src/parallel/scoringWorkers.ts).
      "src/cli": ["src/core", "src/app", "src/cli", "src/io", "src/http", "src/demo", "src/parallel/scoringWorkers.ts", "src/store/openStores.ts", "src/store/stores.ts", "src/store/termStore.ts", "src/store/tokenStore.ts", "src/store/userStore.ts", "training", "fixtures"],
    };
    const offences = Object.entries(allowed).flatMap(([folder, may]) =>
      sources(folder).flatMap((file) =>
        importsOf(file)
          .filter((spec) => spec.startsWith("."))
          .map((spec) => join(file, "..", spec))
          .filter((target) => !may.some((prefix) => target === prefix || target.startsWith(`${prefix}/`)))
          .map((target) => `${file} imports ${target}`),
      ),
    );
    expect(offences).toEqual([]);
  });

  it("keeps database drivers and Express in their adapters", () => {
    const rules: [RegExp, string[]][] = [
      [/^better-sqlite3$/, ["src/store/sqlite"]],
      [/^pg$/, ["src/store/postgres"]],
      [/^express/, ["src/http"]],
      [/^openid-client$/, ["src/http"]],
      // A development dependency: only the demo's own identity provider uses it.
      [/^oidc-provider$/, ["src/demo"]],
    ];
    const offences = ["src", "training", "bench"].flatMap(sources).flatMap((file) =>
      importsOf(file).flatMap((spec) =>
        rules.filter(([library, homes]) => library.test(spec) && !homes.some((home) => file.startsWith(`${home}/`))).map(() => `${file} imports ${spec}`),
      ),
    );
    expect(offences).toEqual([]);
  });
});
