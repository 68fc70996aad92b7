import type pg from "pg";
import type { Transactor } from "../sql/caseworkRows.ts";
import { PgRunner } from "./pgRunner.ts";

/**
 * Transactions on a pool of their own: a request holds one of the store pool's connections for
 * its snapshot while it writes, and on the same pool ten such writes at once would each wait
 * for an eleventh connection for good.
 */
export function pgTransactor(pool: pg.Pool, failure: (error: unknown) => unknown): Transactor {
  return {
    sql: new PgRunner(pool, failure),
    async transaction(work) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw failure(error);
      }
      try {
        await client.query("BEGIN");
        const result = await work(new PgRunner(client, failure));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw failure(error);
      } finally {
        client.release();
      }
    },
  };
}
