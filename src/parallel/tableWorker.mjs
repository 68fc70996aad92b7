// Entry point of a casework table worker (see tableWorkers.ts). Plain JavaScript because a
// worker does not inherit the parent's TypeScript loader: compiled (dist/, where the build
// rewrote the import below to .js) it needs none; from the sources it registers tsx first.
import { existsSync } from "node:fs";

if (!existsSync(new URL("./tableWorkerMain.js", import.meta.url))) (await import("tsx/esm/api")).register();
await import("./tableWorkerMain.ts");
