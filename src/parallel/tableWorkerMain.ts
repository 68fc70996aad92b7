import { parentPort, workerData } from "node:worker_threads";
import { coverageTable, EwisError, movementTable } from "../core/index.ts";
import type { TableJob } from "./tableWorkers.ts";

// One table a worker: made from the job it was started with, answered, and the worker ends.
const job = workerData as TableJob;
try {
  const table = job.kind === "coverage" ? coverageTable(...job.args) : movementTable(...job.args);
  parentPort!.postMessage({ table });
} catch (error) {
  parentPort!.postMessage({ error: { message: String((error as Error)?.message ?? error), code: error instanceof EwisError ? error.code : undefined } });
}
