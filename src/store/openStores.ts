import { openPostgresStores } from "./postgres/postgresStores.ts";
import { openSqliteStores } from "./sqlite/sqliteStores.ts";
import type { OpenOptions, Stores } from "./stores.ts";

/** A `postgres://` (or `postgresql://`) URL names a PostgreSQL database; anything else is a SQLite file. */
export function isDatabaseUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export async function openStores(db: string, options: OpenOptions = {}): Promise<Stores> {
  return isDatabaseUrl(db) ? openPostgresStores(db, options) : openSqliteStores(db, options);
}

/** Runs `use` on the stores at `db` and closes them, whatever happens. */
export async function withStores<T>(db: string, options: OpenOptions, use: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(db, options);
  try {
    return await use(stores);
  } finally {
    await stores.close();
  }
}
