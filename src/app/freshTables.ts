/**
 * Casework's state-wide tables (coverage, movement) must be suppressed over every place at
 * once, or a district's numbers less its schools' would give back a school's hidden one. That
 * takes seconds at state scale and plans change all day, so each table is made at most once in
 * `FRESH_MS` per term and served to everyone meanwhile, with the time it was made.
 */
export const FRESH_MS = 5 * 60_000;

export interface Made<T> {
  at: Date;
  value: T;
}

/** The last table of each kind one service made (`createApp` makes one of these). */
export class FreshTables {
  private readonly made = new Map<string, Made<unknown> & { key: string }>();

  async of<T>(kind: string, key: string, now: Date, make: () => Promise<T>): Promise<Made<T>> {
    const last = this.made.get(kind);
    if (last && last.key === key && now.getTime() - last.at.getTime() < FRESH_MS) return last as Made<T>;
    const made = { key, at: now, value: await make() };
    this.made.set(kind, made);
    return made;
  }
}
