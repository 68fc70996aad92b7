import { writeSync } from "node:fs";
import { SqliteScoreStore } from "../../src/store/sqliteScoreStore.ts";

/**
 * A publish held open: `node --import tsx test/support/holdPublish.ts <db> <ms>` starts publishing a
 * term through the store's own publishing path, says "holding" once it holds the write lock,
 * keeps it `ms` milliseconds, then fails so the publish rolls back. What a state-sized
 * `run-term` does to the store's locks for most of a minute, in a few seconds.
 */
const [db, ms] = process.argv.slice(2);
const store = new SqliteScoreStore(db);
try {
  store.publishTermAsScored({ school_year: 2099, label: "held" }, () => {
    writeSync(1, "holding\n");
    const until = Date.now() + Number(ms);
    while (Date.now() < until);
    throw new Error("let go");
  });
} catch {
  writeSync(1, "released\n");
} finally {
  store.close();
}
