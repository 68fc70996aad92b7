// Entry point of a RowPool worker thread (see rowPool.ts). Plain JavaScript because a worker
// does not inherit the parent's TypeScript loader: under the tsx CLI, bin/ewis.js's
// register() and vitest alike, this file registers tsx itself and then loads the .ts worker.
// A failure to load is reported through the shared status word, since the parent may be
// blocked in Atomics.wait and unable to receive an 'error' event.
import { existsSync } from "node:fs";
import { workerData } from "node:worker_threads";

try {
  // Compiled (dist/, where the build rewrote the import below to .js), no loader is needed.
  if (!existsSync(new URL("./rowWorker.js", import.meta.url))) (await import("tsx/esm/api")).register();
  await import("./rowWorker.ts");
} catch (error) {
  const { control, message } = workerData; // see protocol.ts: READY = 0, ERROR_LENGTH = 2
  const text = new TextEncoder().encode(String(error?.stack ?? error));
  message.set(text.subarray(0, message.length));
  Atomics.store(control, 2, Math.min(text.length, message.length));
  Atomics.store(control, 0, -1);
  Atomics.notify(control, 0);
}
