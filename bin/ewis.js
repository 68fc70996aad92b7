#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`, which installs run as `prepare`) when it
// was built after every source file last changed; otherwise the TypeScript itself through tsx,
// so `npx ewis` works with no build step and an edit never runs stale code.
import { join } from "node:path";
import { freshBuild } from "./freshBuild.js";

let main;
if (freshBuild(join(import.meta.dirname, ".."))) ({ main } = await import("../dist/src/cli/main.js"));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv);
