import { EwisError } from "./errors.ts";
import { DisclosureAudit, relationsByCell, type AdditiveRelation, type Relations, type RelationsByCell } from "./disclosureAudit.ts";
import { RelationList } from "./relationList.ts";
import { deducedZeros } from "./zeroDeduction.ts";

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
  /** Audit rounds before giving up (`insufficient_data`); `MAX_AUDIT_ROUNDS` when not given. */
  maxRounds?: number;
  /** Cells never to hide: numbers every reader knows from elsewhere, so hiding them would protect nothing. */
  fixed?: Uint8Array;
  /** The relations holding each cell (`relationsByCell`), when the caller has them already. */
  relationsOf?: RelationsByCell;
  /**
   * The small cells, to protect also from an attacker who knows counts are never negative
   * (`zeroDeduction.ts`): once the sums pin nothing, the zeros that attacker pins are taken as
   * known and the audit runs again; a small count above 0 it finds pinned gets complements above
   * 0. A small group's zero pinned so stays: a zero shown for the larger group around it
   * (allowed, that group is not small) already says as much.
   */
  small?: Uint8Array;
  /**
   * A better complement than the nearest for those small counts: given them, the zeros pinned
   * and the hidden cells, the corners of new changes that keep every sum true around those
   * zeros (to hide, and trusted), and the small counts it could not protect.
   */
  reprotect?: (cells: readonly number[], pinned: Uint8Array, hidden: Uint8Array) => { corners: number[]; failed: number[] };
  /** Of `proven`, the cells still safe from an attacker who knows the zeros `pinned` (none, when not given). */
  provenDespite?: (pinned: Uint8Array) => Uint8Array;
}

export function suppressCells(counts: ArrayLike<number>, given: Relations, threshold: number, options: SuppressionOptions = {}): Uint8Array {
  const relations = RelationList.of(given);
  const { totals, partStart, partCells } = relations;
  const { primary, cost, proven, fixed } = options;
  const hidden = new Uint8Array(counts.length);
  for (let i = 0; i < counts.length; i++) if (((counts[i] > 0 && counts[i] < threshold) || primary?.[i]) && !fixed?.[i]) hidden[i] = 1;

  const relationsOf = options.relationsOf ?? relationsByCell(counts.length, relations);
  const { start: firstOf, list: relationList } = relationsOf;

  const queued = new Uint8Array(relations.length);
  const queue: number[] = [];
  const enqueue = (k: number) => {
    if (!queued[k]) {
      queued[k] = 1;
      queue.push(k);
    }
  };
  const audit = new DisclosureAudit(hidden, relations, relationsOf, proven);
  const hide = (cell: number, proven = false) => {
    audit.hide(cell, proven);
    for (let j = firstOf[cell]; j < firstOf[cell + 1]; j++) enqueue(relationList[j]);
  };
  const greedy = () => {
    while (queue.length > 0) {
      const k = queue.pop() as number;
      queued[k] = 0;
      let hiddenCount = hidden[totals[k]];
      for (let j = partStart[k]; j < partStart[k + 1]; j++) hiddenCount += hidden[partCells[j]];
      if (hiddenCount !== 1) continue;
      const pick = complement(counts, hidden, relations, k, cost, false, fixed);
      if (pick >= 0) hide(pick);
    }
  };

  /**
   * Up to `want` visible cells to hide for a determined one, one per relation, nearest first:
   * its own relations, then relations reached through hidden cells (its relations may all be
   * hidden already, with the value pinned further out); the cheapest first at each distance.
   */
  const nearestComplements = (start: number, want: number, positive = false): number[] => {
    const picks: number[] = [];
    const seenCell = new Set([start]);
    const seenRelation = new Set<number>();
    let frontier = [start];
    while (frontier.length > 0) {
      const next: number[] = [];
      const found: number[] = [];
      for (const cell of frontier) {
        for (let at = firstOf[cell]; at < firstOf[cell + 1]; at++) {
          const k = relationList[at];
          if (seenRelation.has(k)) continue;
          seenRelation.add(k);
          const pick = complement(counts, hidden, relations, k, cost, positive, fixed);
          if (pick >= 0 && !found.includes(pick)) found.push(pick);
          for (let j = partStart[k] - 1; j < partStart[k + 1]; j++) {
            const c = j < partStart[k] ? totals[k] : partCells[j];
            if (hidden[c] && !seenCell.has(c)) {
              seenCell.add(c);
              next.push(c);
            }
          }
        }
      }
      found.sort((a, b) => price(a, counts, cost) - price(b, counts, cost) || a - b);
      for (const pick of found) {
        picks.push(pick);
        if (picks.length >= want) return picks;
      }
      frontier = next;
    }
    return picks;
  };

  /**
   * The attacker who knows counts are never negative: the zeros it pins are known to it, so they
   * leave the system the second audit solves. The pinned zeros only shrink as cells are hidden,
   * so the cells that second audit sees only grow, and it stays incremental like the first; it
   * trusts `provenDespite` the first pinned zeros, which stays true as they shrink. Returns the
   * small counts above 0 it finds pinned.
   */
  let knownZeros: { audit: DisclosureAudit; unknown: Uint8Array } | undefined;
  let lastZeros: Uint8Array = new Uint8Array(0);
  const pinnedByZeros = (small: Uint8Array): number[] => {
    const zero = deducedZeros(hidden, counts, relations, relationsOf);
    if (!knownZeros) {
      const unknown = Uint8Array.from(hidden, (h, c) => (h && !zero[c] ? 1 : 0));
      const trusted = options.provenDespite?.(zero);
      knownZeros = { audit: new DisclosureAudit(unknown, relations, relationsOf, trusted), unknown };
    } else {
      for (let c = 0; c < hidden.length; c++) if (hidden[c] && !zero[c] && !knownZeros.unknown[c]) knownZeros.audit.hide(c);
    }
    lastZeros = zero;
    return knownZeros.audit.determined().filter((c) => small[c] && counts[c] > 0);
  };

  for (let k = 0; k < relations.length; k++) enqueue(k);
  greedy();
  const timesDetermined = new Map<number, number>();
  const rounds = options.maxRounds ?? MAX_AUDIT_ROUNDS;
  for (let round = 0; round < rounds; round++) {
    let determined = audit.determined();
    let positive = false;
    if (determined.length === 0 && options.small) {
      determined = pinnedByZeros(options.small);
      positive = true; // a complement above 0: a zero beside it could be pinned too
    }
    if (determined.length === 0) return hidden;
    // A complement that leaves the cell determined was off the path that pins it: each time the
    // same cell comes back, twice as many complements go, so a stubborn cell takes few rounds.
    const picks: number[] = [];
    if (positive && options.reprotect) {
      // New hypercubes around the pinned zeros: proven to both audits, as the first ones were.
      const { corners, failed } = options.reprotect(determined, lastZeros, hidden);
      for (const c of corners) {
        audit.prove(c);
        knownZeros?.audit.prove(c);
        if (!hidden[c]) {
          hide(c, true);
          knownZeros?.audit.hide(c, true);
        }
      }
      determined = failed;
    }
    for (const cell of determined) {
      const times = (timesDetermined.get(cell) ?? 0) + 1;
      timesDetermined.set(cell, times);
      picks.push(...nearestComplements(cell, 2 ** Math.min(times - 1, 16), positive));
    }
    for (const pick of picks) hide(pick);
    greedy();
  }
  throw new EwisError("insufficient_data", `suppression did not settle after ${rounds} audit rounds; nothing was published`);
}

/** What hiding a cell loses: its cost where given, else its count. */
const price = (c: number, counts: ArrayLike<number>, cost?: ArrayLike<number>) => (cost ? cost[c] : counts[c]);

/** The cell to hide beside a hidden one in relation k (`positive`: only a count above 0). */
function complement(counts: ArrayLike<number>, hidden: Uint8Array, relations: RelationList, k: number, cost?: ArrayLike<number>, positive = false, fixed?: Uint8Array): number {
  const total = relations.totals[k];
  const from = relations.partStart[k];
  const to = relations.partStart[k + 1];
  const parts = relations.partCells;
  let best = -1;
  if (cost || positive || fixed) {
    for (let j = from - 1; j < to; j++) {
      const c = j < from ? total : parts[j];
      if (hidden[c] || fixed?.[c] || (positive && counts[c] <= 0)) continue;
      const cellPrice = price(c, counts, cost);
      if (best < 0 || cellPrice < price(best, counts, cost) || (cellPrice === price(best, counts, cost) && c < best)) best = c;
    }
    return best;
  }
  for (let j = from; j < to; j++) {
    const p = parts[j];
    if (hidden[p] || counts[p] <= 0) continue;
    if (best < 0 || counts[p] < counts[best] || (counts[p] === counts[best] && p < best)) best = p;
  }
  if (best >= 0) return best;
  if (!hidden[total]) return total;
  for (let j = from; j < to; j++) if (!hidden[parts[j]]) return parts[j];
  return -1;
}
