import type Database from "better-sqlite3";
import { SqlUserStore } from "../sql/userRows.ts";
import { isSqliteError } from "../storeFailure.ts";
import type { SqliteRunner } from "./sqliteRunner.ts";

/**
 * SQLite's users. Claiming a subject is the one write a sign-in makes to the store's own file:
 * while a term is published that file's write lock is taken, and waiting for it would stall
 * every request (better-sqlite3 waits on Node's one thread). So it does not wait: a busy store
 * leaves the claim to the next sign-in.
 */
export class SqliteUserStore extends SqlUserStore {
  constructor(
    runner: SqliteRunner,
    private readonly db: Database.Database,
  ) {
    super(runner);
  }

  override async claimSubject(id: number, subject: string): Promise<boolean> {
    const timeout = this.db.pragma("busy_timeout", { simple: true }) as number;
    this.db.pragma("busy_timeout = 0");
    try {
      return await super.claimSubject(id, subject);
    } catch (error) {
      if (isSqliteError(error) && error.code.startsWith("SQLITE_BUSY")) return false;
      throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
  }
}
