/**
 * Ids to bind in `IN (?, …)` lists, a batch at a time, each padded (with its first id again)
 * to one of a few `sizes`: the store then prepares a few statements, not one for every count.
 */
export function* idBatches(ids: readonly string[], sizes: readonly number[]): Generator<string[]> {
  const most = sizes[sizes.length - 1];
  for (let start = 0; start < ids.length; start += most) {
    const some = ids.slice(start, start + most);
    const size = sizes.find((n) => n >= some.length)!;
    yield [...some, ...new Array<string>(size - some.length).fill(some[0])];
  }
}

/** `?, ?, ?` for a batch. */
export const marks = (ids: readonly unknown[]): string => ids.map(() => "?").join(", ");
