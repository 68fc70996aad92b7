import { Worker } from "node:worker_threads";
import { EwisError, type coverageTable, type EwisErrorCode, type movementTable } from "../core/index.ts";
import type { TableMaker } from "../app/freshTables.ts";

export type TableJob = { kind: "coverage"; args: Parameters<typeof coverageTable> } | { kind: "movement"; args: Parameters<typeof movementTable> };

/** Makes one table on a thread of its own, so the service's event loop keeps answering meanwhile. */
function onWorker<T>(job: TableJob): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./tableWorker.mjs", import.meta.url), { workerData: job, execArgv: [] });
    worker.once("message", (answer: { table?: T; error?: { message: string; code?: EwisErrorCode } }) => {
      if (answer.error) reject(answer.error.code ? new EwisError(answer.error.code, answer.error.message) : new Error(answer.error.message));
      else resolve(answer.table as T);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`a casework table worker stopped (exit ${code})`)));
  });
}

/** The service's table maker: each table on a worker thread. */
export const workerTables: TableMaker = {
  coverage: (...args) => onWorker({ kind: "coverage", args }),
  movement: (...args) => onWorker({ kind: "movement", args }),
};
