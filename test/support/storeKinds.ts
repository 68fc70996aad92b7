import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { startPostgres, type PostgresServer } from "./postgresServer.ts";

/**
 * Both stores, for tests that hold them to one contract: a SQLite file in a temporary folder,
 * or a new database on a real PostgreSQL server this test file starts (and removes) itself.
 */
export const storeKinds = ["sqlite", "postgres"] as const;
export type StoreKind = (typeof storeKinds)[number];

export interface StoreMaker {
  /** A `--db` for a new, empty store of the kind: a file path or a `postgres://` URL. */
  fresh(name?: string): Promise<string>;
  /** A temporary folder of the test file's own, for files beside the store (exports, rejects). */
  readonly work: string;
  /** The PostgreSQL server's own URL (its `postgres` database), for tests that reach around the store. */
  readonly serverUrl: string;
}

/**
 * Registers the file's setup: a PostgreSQL cluster when `kind` is postgres (started once for
 * the file, stopped after it). Call at the top of a `describe`.
 */
export function storeMaker(kind: StoreKind): StoreMaker {
  let server: PostgresServer | undefined;
  let work = "";
  let made = 0;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `ewis-${kind}-`));
    if (kind === "postgres") server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    async fresh(name = `store${++made}`) {
      if (kind === "sqlite") return join(work, `${name}.db`);
      const admin = new pg.Client({ connectionString: server!.url });
      await admin.connect();
      try {
        const database = `ewis_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
        await admin.query(`CREATE DATABASE ${database}`);
        return server!.url.replace(/\/postgres$/, `/${database}`);
      } finally {
        await admin.end();
      }
    },
    get work() {
      return work;
    },
    get serverUrl() {
      return server!.url;
    },
  };
}
