import { coverageTable, movementTable } from "../core/index.ts";

/**
 * Casework's state-wide tables (coverage, movement) must be suppressed over every place at
 * once, or a district's numbers less its schools' would give back a school's hidden one. That
 * takes seconds at state scale and plans change all day, so each table is made at most once in
 * `FRESH_MS` and served to everyone meanwhile, with the time it was made. Requests that come
 * while it is being made wait for that one making.
 */
export const FRESH_MS = 5 * 60_000;
/** Tables kept: the latest term's two, and a few earlier terms asked for by `term=`. */
const KEPT = 8;

/** How the tables are made from their data: here (`inProcess`) or off the event loop (`src/parallel/tableWorkers.ts`). */
export interface TableMaker {
  coverage(...args: Parameters<typeof coverageTable>): Promise<ReturnType<typeof coverageTable>>;
  movement(...args: Parameters<typeof movementTable>): Promise<ReturnType<typeof movementTable>>;
}

export const inProcess: TableMaker = {
  coverage: async (...args) => coverageTable(...args),
  movement: async (...args) => movementTable(...args),
};

export interface Made<T> {
  at: Date;
  value: T;
}

/** The tables one service made, by what they are of (`createApp` makes one of these). */
export class FreshTables {
  private readonly made = new Map<string, Promise<Made<unknown>> & { at: number }>();

  constructor(readonly maker: TableMaker = inProcess) {}

  /** `key` names the table and everything it is made from (terms and their publication times). */
  of<T>(key: string, now: Date, make: () => Promise<T>): Promise<Made<T>> {
    const last = this.made.get(key);
    if (last && now.getTime() - last.at < FRESH_MS) return last as Promise<Made<T>>;
    const making = Object.assign(
      make().then((value) => ({ at: now, value })),
      { at: now.getTime() },
    );
    // A failed making is not kept: the next request tries again.
    making.catch(() => this.made.get(key) === making && this.made.delete(key));
    this.made.delete(key);
    this.made.set(key, making);
    while (this.made.size > KEPT) this.made.delete(this.made.keys().next().value as string);
    return making;
  }
}
