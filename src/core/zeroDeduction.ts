import type { Relations, RelationsByCell } from "./disclosureAudit.ts";
import { RelationList } from "./relationList.ts";

/**
 * What an attacker learns from counts never being negative: where a total is known and the
 * parts known beside it already add up to it, every hidden part is 0. A zero learned so is
 * known, and may let another sum give its hidden parts away, so the deduction runs until
 * nothing more follows. (A total whose parts are all known is a plain subtraction, which the
 * linear audit covers; it is followed here only when the parts add up to 0.)
 *
 * Returns the hidden cells so pinned at 0. `relationsOf` lists the relations holding each cell.
 */
export function deducedZeros(
  hidden: Uint8Array,
  counts: ArrayLike<number>,
  given: Relations,
  relationsOf: RelationsByCell,
): Uint8Array {
  const { totals, partStart, partCells, length } = RelationList.of(given);
  const zero = new Uint8Array(hidden.length);
  const known = (c: number) => !hidden[c] || zero[c] === 1;
  const pending = Array.from({ length }, (_, k) => k);
  const queued = new Uint8Array(length).fill(1);
  while (pending.length > 0) {
    const k = pending.pop() as number;
    queued[k] = 0;
    const total = totals[k];
    let rest = 0;
    let unknownParts = 0;
    for (let j = partStart[k]; j < partStart[k + 1]; j++) {
      const p = partCells[j];
      if (known(p)) rest += counts[p];
      else unknownParts++;
    }
    const pinned: number[] = [];
    if (known(total) && unknownParts > 0 && counts[total] - rest === 0) {
      for (let j = partStart[k]; j < partStart[k + 1]; j++) if (!known(partCells[j])) pinned.push(partCells[j]);
    } else if (!known(total) && unknownParts === 0 && rest === 0) {
      pinned.push(total);
    }
    for (const c of pinned) {
      zero[c] = 1;
      for (let at = relationsOf.start[c]; at < relationsOf.start[c + 1]; at++) {
        const j = relationsOf.list[at];
        if (!queued[j]) {
          queued[j] = 1;
          pending.push(j);
        }
      }
    }
  }
  return zero;
}
