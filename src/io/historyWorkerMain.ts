import { parentPort, workerData } from "node:worker_threads";
import { readRange, type RangeTask } from "./historyRange.ts";

/** Reads one byte range and hands its columns back by transfer, not by copy. */
const task = workerData as RangeTask;
const port = parentPort;
if (!port) throw new Error("historyWorkerMain runs only as a worker thread");
try {
  const result = await readRange(task, (bytes) => port.postMessage({ kind: "progress", bytes }));
  const buffers = Object.values(result.read.chunk).flatMap((v) => (ArrayBuffer.isView(v) ? [v.buffer as ArrayBuffer] : []));
  port.postMessage({ kind: "done", result }, buffers);
} catch (error) {
  port.postMessage({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
}
