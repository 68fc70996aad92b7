import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { publishTerm, type PublishPorts } from "../../src/app/publishTerm.ts";
import { scoreHere, type ScoreTerm } from "../../src/app/termScoring.ts";
import type { HistoryReadResult } from "../../src/io/readHistory.ts";
import { readHistory } from "../../src/io/readHistory.ts";
import { loadModels } from "../../src/io/modelFiles.ts";
import { Worker } from "node:worker_threads";
import { MessageQueue, scoreOnWorker } from "../../src/parallel/scoringWorkers.ts";
import { withStores } from "../../src/store/openStores.ts";
import type { RiskModel } from "../../src/core/index.ts";

const root = join(import.meta.dirname, "..", "..");
let work: string;
let history: HistoryReadResult;
let models: RiskModel[];
const onWorker = scoreOnWorker({ minStudents: 0, ahead: 1 });

async function publish(db: string, scoring: ScoreTerm, fault: PublishPorts["fault"] = () => {}, withModels = models, releaseTable = false) {
  return withStores(db, {}, (stores) =>
    publishTerm(
      {
        schoolYear: 2025,
        label: "fall",
        table: history.table,
        models: withModels,
        minCell: 10,
        releaseTable,
        read: { rows: history.read, accepted: history.accepted, rejected: history.rejected, sha256: history.sha256 },
      },
      {
        terms: stores.terms,
        progress: { stage() {}, update() {}, end() {} },
        fault,
        clock: () => new Date("2026-12-01T00:00:00Z"),
        noOneEnrolled: () => new Error("no one enrolled"),
        scoring,
      },
    ),
  );
}

/** Every published row of the store, as SQLite holds it. */
function dump(db: string) {
  const sqlite = new Database(db, { readonly: true });
  try {
    return {
      terms: sqlite.prepare("SELECT * FROM terms ORDER BY id").all(),
      scores: sqlite.prepare("SELECT * FROM scores ORDER BY term_id, student_id, milestone").all(),
      rollups: sqlite.prepare("SELECT * FROM rollups ORDER BY term_id, scope, district_id, school_id, milestone, grade, dimension, value").all(),
    };
  } finally {
    sqlite.close();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-scoring-"));
  // Two readers: the joined history lives on shared memory, as a state's does, and the worker reads it in place.
  history = await readHistory(join(root, "fixtures", "state-small.csv"), { readers: 2 });
  models = await loadModels(join(root, "models"));
});

describe("scoring on a worker thread", () => {
  it("publishes the same term, row for row, as scoring on the writing thread", async () => {
    expect(history.table.chunk.student.buffer).toBeInstanceOf(SharedArrayBuffer);
    const here = join(work, "here.db");
    const there = join(work, "worker.db");
    const a = await publish(here, scoreHere);
    const b = await publish(there, onWorker);
    expect(b.record.scores).toBe(a.record.scores);
    expect(a.record.scores).toBeGreaterThan(1000);
    expect(b.cells).toEqual(a.cells);
    expect(b.loss).toEqual(a.loss);
    const [rowsHere, rowsThere] = [dump(here), dump(there)];
    expect(rowsThere.scores).toHaveLength(a.record.scores);
    expect(rowsThere.rollups.length).toBeGreaterThan(1000);
    expect(rowsThere).toEqual(rowsHere);
  });

  it("copies a history that is not on shared memory, with the same result", async () => {
    const single = await readHistory(join(root, "fixtures", "state-small.csv"), { readers: 1 });
    expect(single.table.chunk.student.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const saved = history;
    history = single;
    try {
      const db = join(work, "copied.db");
      await publish(db, onWorker);
      expect(dump(db).scores).toEqual(dump(join(work, "here.db")).scores);
    } finally {
      history = saved;
    }
  });

  it("lets the history's rows go once scored, when asked, and publishes the same term", async () => {
    const own = await readHistory(join(root, "fixtures", "state-small.csv"), { readers: 2 });
    const { firstYear, lastYear, rowCount } = own.table;
    expect(rowCount).toBeGreaterThan(15_000);
    const saved = history;
    history = own;
    try {
      const db = join(work, "released.db");
      const published = await publish(db, onWorker, undefined, models, true);
      expect(own.table.rowCount).toBe(0);
      expect(own.table.studentCount).toBe(0);
      expect([...own.table.histories()]).toEqual([]);
      expect([own.table.firstYear, own.table.lastYear]).toEqual([firstYear, lastYear]);
      expect(published.record.scores).toBeGreaterThan(1000);
      expect(dump(db)).toEqual(dump(join(work, "here.db")));
    } finally {
      history = saved;
    }
  });

  it("refuses a worker with no room to run ahead, which could never hand over a batch", () => {
    expect(() => scoreOnWorker({ ahead: 0 })).toThrow("ahead must be a whole number of batches ≥ 1 (got 0)");
    expect(() => scoreOnWorker({ ahead: 1.5 })).toThrow(RangeError);
  });

  it("fails the run with the worker's own error, and publishes nothing", async () => {
    const broken = models.map((m, i) => (i === 3 ? ({ ...m, features: undefined } as unknown as RiskModel) : m));
    const here = join(work, "broken-here.db");
    const there = join(work, "broken-worker.db");
    const expected = await publish(here, scoreHere, undefined, broken).catch((error: Error) => error.message);
    expect(expected).toMatch(/features|length/);
    await expect(publish(there, onWorker, undefined, broken)).rejects.toThrow(expected as string);
    expect(dump(there).terms).toEqual([]);
    expect(dump(there).scores).toEqual([]);
  });

  it("sees a worker's failure without waiting for its next message, so the writer stops early", async () => {
    const ended = async (code: string) => {
      const worker = new Worker(`const { parentPort } = require("node:worker_threads"); ${code}`, { eval: true });
      const queue = new MessageQueue(worker);
      await new Promise((resolve) => worker.once("exit", resolve));
      return queue;
    };
    const failedEarly = await ended(`parentPort.postMessage({ kind: "error", message: "the rollups ran out of memory" });`);
    expect(failedEarly.failed()?.message).toBe("the rollups ran out of memory");
    // A worker that ends with its answer has not failed: the answer waits before its exit.
    const answered = await ended(`parentPort.postMessage({ kind: "scored", summary: {} });`);
    expect(answered.failed()).toBeUndefined();
    expect((await answered.next()).kind).toBe("scored");
    const vanished = await ended(`process.exit(3);`);
    expect(vanished.failed()?.message).toBe("the scoring worker stopped before it finished (exit 3)");
  });

  it("stops the worker when the write fails midway, and publishes nothing", async () => {
    const db = join(work, "stopped.db");
    const failAt = (point: string, count?: number) => {
      if (point === "score" && count === 500) throw new Error("the disk filled at score 500");
    };
    await expect(publish(db, onWorker, failAt)).rejects.toThrow("the disk filled at score 500");
    expect(dump(db).terms).toEqual([]);
    // The store still takes the term afterwards: nothing of the stopped run is left holding it.
    await publish(db, onWorker);
    expect(dump(db).scores).toEqual(dump(join(work, "here.db")).scores);
  });
});
