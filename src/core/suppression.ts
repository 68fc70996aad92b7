import { EwisError } from "./errors.ts";
import { DisclosureAudit, relationsByCell, type AdditiveRelation } from "./disclosureAudit.ts";

export type { AdditiveRelation };

/**
 * Small-cell suppression with complementary suppression, for any table of counts tied by
 * additive relations (a total equals the sum of its parts: tiers add up to a group, subgroups
 * to everyone, grades to all grades, schools to their district).
 *
 * 1. Primary: every count with 0 < n < threshold is hidden.
 * 2. Greedy complement: while a relation has exactly one hidden cell, one subtraction would
 *    give it back, so one more cell of that relation is hidden: the cheapest visible cell by
 *    `cost` where one is given (the caller knows which cells are totals), else the smallest
 *    positive visible part (else the total, else a zero).
 * 3. Audit: relations solved together can still pin a cell that no single subtraction gives
 *    (a bridge between two blocks of hidden cells). `DisclosureAudit` finds every such cell
 *    exactly, solving each connected group of hidden cells on its own and, after the first
 *    round, only the groups that gained a hidden cell. Each determined cell gets a complement
 *    (the nearest visible cell, one per relation, through its own relations first); a cell that
 *    is determined again gets twice as many as the last time, since the complement it got was
 *    off the path that pins it. The greedy rule and the audit run again until no hidden cell is
 *    determined by the published numbers.
 * Deterministic: ties break on the lower index.
 */
export const MIN_CELL_SIZE = 6;
export const DEFAULT_CELL_SIZE = 10;
const MAX_AUDIT_ROUNDS = 100;

export interface SuppressionOptions {
  /** More cells to hide from the start: a small group's zeros, or complements already chosen. */
  primary?: Uint8Array;
  /** What hiding each cell loses; complements go to the cheapest. */
  cost?: ArrayLike<number>;
  /**
   * Hidden cells already shown to be safe (each on a change to the hidden cells that keeps
   * every sum true, as a hypercube is): the audit need not solve a group that holds only these.
   */
  proven?: Uint8Array;
}

export function suppressCells(counts: ArrayLike<number>, relations: readonly AdditiveRelation[], threshold: number, options: SuppressionOptions = {}): Uint8Array {
  const { primary, cost, proven } = options;
  const hidden = new Uint8Array(counts.length);
  for (let i = 0; i < counts.length; i++) if ((counts[i] > 0 && counts[i] < threshold) || primary?.[i]) hidden[i] = 1;

  const relationsOf = relationsByCell(counts.length, relations);

  const queued = new Uint8Array(relations.length);
  const queue: number[] = [];
  const enqueue = (k: number) => {
    if (!queued[k]) {
      queued[k] = 1;
      queue.push(k);
    }
  };
  const audit = new DisclosureAudit(hidden, relations, relationsOf, proven);
  const hide = (cell: number) => {
    audit.hide(cell);
    for (const k of relationsOf[cell]) enqueue(k);
  };
  const greedy = () => {
    while (queue.length > 0) {
      const k = queue.pop() as number;
      queued[k] = 0;
      const { total, parts } = relations[k];
      let hiddenCount = hidden[total];
      for (const p of parts) hiddenCount += hidden[p];
      if (hiddenCount !== 1) continue;
      const pick = complement(counts, hidden, total, parts, cost);
      if (pick >= 0) hide(pick);
    }
  };

  /**
   * Up to `want` visible cells to hide for a determined one, one per relation, nearest first:
   * its own relations, then relations reached through hidden cells (its relations may all be
   * hidden already, with the value pinned further out).
   */
  const nearestComplements = (start: number, want: number): number[] => {
    const picks: number[] = [];
    const seenCell = new Set([start]);
    const seenRelation = new Set<number>();
    let frontier = [start];
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const cell of frontier) {
        for (const k of relationsOf[cell]) {
          if (seenRelation.has(k)) continue;
          seenRelation.add(k);
          const { total, parts } = relations[k];
          const pick = complement(counts, hidden, total, parts, cost);
          if (pick >= 0 && !picks.includes(pick)) {
            picks.push(pick);
            if (picks.length >= want) return picks;
          }
          for (let j = -1; j < parts.length; j++) {
            const c = j < 0 ? total : parts[j];
            if (hidden[c] && !seenCell.has(c)) {
              seenCell.add(c);
              next.push(c);
            }
          }
        }
      }
      frontier = next;
    }
    return picks;
  };

  relations.forEach((_, k) => enqueue(k));
  greedy();
  const timesDetermined = new Map<number, number>();
  for (let round = 0; round < MAX_AUDIT_ROUNDS; round++) {
    const determined = audit.determined();
    if (determined.length === 0) return hidden;
    // A complement that leaves the cell determined was off the path that pins it: each time the
    // same cell comes back, twice as many complements go, so a stubborn cell takes few rounds.
    const picks: number[] = [];
    for (const cell of determined) {
      const times = (timesDetermined.get(cell) ?? 0) + 1;
      timesDetermined.set(cell, times);
      picks.push(...nearestComplements(cell, 2 ** Math.min(times - 1, 16)));
    }
    for (const pick of picks) hide(pick);
    greedy();
  }
  throw new EwisError("insufficient_data", `suppression did not settle after ${MAX_AUDIT_ROUNDS} audit rounds; nothing was published`);
}

function complement(counts: ArrayLike<number>, hidden: Uint8Array, total: number, parts: readonly number[], cost?: ArrayLike<number>): number {
  let best = -1;
  if (cost) {
    for (const c of [total, ...parts]) if (!hidden[c] && (best < 0 || cost[c] < cost[best] || (cost[c] === cost[best] && c < best))) best = c;
    return best;
  }
  for (const p of parts) {
    if (hidden[p] || counts[p] <= 0) continue;
    if (best < 0 || counts[p] < counts[best] || (counts[p] === counts[best] && p < best)) best = p;
  }
  if (best >= 0) return best;
  if (!hidden[total]) return total;
  for (const p of parts) if (!hidden[p]) return p;
  return -1;
}
