import { writeSync } from "node:fs";
import { openStores } from "../../src/store/openStores.ts";

/**
 * A publish held open: `node --import tsx test/support/holdPublish.ts <db> <ms>` starts publishing a
 * term through the store's own publishing path, says "holding" once it holds the write lock,
 * keeps it `ms` milliseconds, then fails so the publish rolls back. What a state-sized
 * `run-term` does to the store's locks for most of a minute, in a few seconds.
 */
const [db, ms] = process.argv.slice(2);
const stores = await openStores(db);
try {
  await stores.terms.publish({ school_year: 2099, label: "held" }, async () => {
    writeSync(1, "holding\n");
    const until = Date.now() + Number(ms);
    while (Date.now() < until);
    throw new Error("let go");
  });
} catch {
  writeSync(1, "released\n");
} finally {
  await stores.close();
}
