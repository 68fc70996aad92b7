// A worker thread starts without the parent's TypeScript loader. Compiled (dist/, where the
// build rewrote the import below to .js) it needs none; from the sources it registers tsx, then
// runs the range reader (see `parallelRead.ts`).
import { existsSync } from "node:fs";

if (!existsSync(new URL("./historyWorkerMain.js", import.meta.url))) (await import("tsx/esm/api")).register();
await import("./historyWorkerMain.ts");
