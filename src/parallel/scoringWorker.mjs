// Entry point of a term's scoring worker (see scoringWorkers.ts). Plain JavaScript because a
// worker does not inherit the parent's TypeScript loader: compiled (dist/, where the build
// rewrote the import below to .js) it needs none; from the sources it registers tsx first.
import { existsSync } from "node:fs";

if (!existsSync(new URL("./scoringWorkerMain.js", import.meta.url))) (await import("tsx/esm/api")).register();
await import("./scoringWorkerMain.ts");
