#!/usr/bin/env node
// `npm run build` (and `prepare`, at every `npm install` or `npm ci`): compiles src/ to dist/, so
// the command starts without compiling TypeScript each time. Without the TypeScript compiler (an
// install without dev dependencies) there is nothing to build with: bin/ewis.js then runs the
// TypeScript through tsx, as it does whenever dist/ is older than a source file.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "..");
let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
} catch {
  console.log("ewis: no TypeScript compiler installed; the command will run from the TypeScript sources");
  process.exit(0);
}
rmSync(join(root, "dist"), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
// Written last: a build cut short leaves no stamp, and bin/ewis.js does not run it.
writeFileSync(join(root, "dist", "built"), `${new Date().toISOString()}\n`);
