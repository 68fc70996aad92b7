/**
 * Small-cell suppression with complementary suppression, for any table of counts tied by
 * additive relations (a total equals the sum of its parts: tiers add up to a group, subgroups
 * to everyone, schools to their district).
 *
 * Primary: every count with 0 < n < threshold is suppressed. Complementary: while some relation
 * has exactly one hidden cell, that cell could be recovered by subtraction, so one more cell of
 * that relation is hidden: the smallest positive visible part (else the total, else a zero).
 * The loop ends when every relation has no hidden cell or at least two, so no hidden count can
 * be recovered from its own row or column totals. (Recovering one through a chain of several
 * equations is not excluded by this greedy rule; see the README.) Deterministic: ties break on
 * the lower index.
 */
export interface AdditiveRelation {
  total: number;
  parts: readonly number[];
}

export const MIN_CELL_SIZE = 6;
export const DEFAULT_CELL_SIZE = 10;

export function suppressCells(counts: ArrayLike<number>, relations: readonly AdditiveRelation[], threshold: number): Uint8Array {
  const hidden = new Uint8Array(counts.length);
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0 && counts[i] < threshold) hidden[i] = 1;

  const relationsOf: number[][] = Array.from({ length: counts.length }, () => []);
  relations.forEach((r, k) => {
    relationsOf[r.total].push(k);
    for (const p of r.parts) relationsOf[p].push(k);
  });

  const queue: number[] = relations.map((_, k) => k);
  const queued = new Uint8Array(relations.length).fill(1);
  while (queue.length > 0) {
    const k = queue.pop() as number;
    queued[k] = 0;
    const { total, parts } = relations[k];
    let hiddenCount = hidden[total];
    for (const p of parts) hiddenCount += hidden[p];
    if (hiddenCount !== 1) continue;
    const pick = complement(counts, hidden, total, parts);
    if (pick < 0) continue; // nothing else to hide: a total with a single part is that part
    hidden[pick] = 1;
    for (const j of relationsOf[pick]) {
      if (!queued[j]) {
        queued[j] = 1;
        queue.push(j);
      }
    }
  }
  return hidden;
}

function complement(counts: ArrayLike<number>, hidden: Uint8Array, total: number, parts: readonly number[]): number {
  let best = -1;
  for (const p of parts) {
    if (hidden[p] || counts[p] <= 0) continue;
    if (best < 0 || counts[p] < counts[best] || (counts[p] === counts[best] && p < best)) best = p;
  }
  if (best >= 0) return best;
  if (!hidden[total]) return total;
  for (const p of parts) if (!hidden[p]) return p;
  return -1;
}
