import type { AdditiveRelation } from "./disclosureAudit.ts";

/**
 * What an attacker learns from counts never being negative: where a total is known and the
 * parts known beside it already add up to it, every hidden part is 0. A zero learned so is
 * known, and may let another sum give its hidden parts away, so the deduction runs until
 * nothing more follows. (A total whose parts are all known is a plain subtraction, which the
 * linear audit covers; it is followed here only when the parts add up to 0.)
 *
 * Returns the hidden cells so pinned at 0. `relationsOf[cell]` lists the relations holding it.
 */
export function deducedZeros(
  hidden: Uint8Array,
  counts: ArrayLike<number>,
  relations: readonly AdditiveRelation[],
  relationsOf: readonly (readonly number[])[],
): Uint8Array {
  const zero = new Uint8Array(hidden.length);
  const known = (c: number) => !hidden[c] || zero[c] === 1;
  const pending = relations.map((_, k) => k);
  const queued = new Uint8Array(relations.length).fill(1);
  while (pending.length > 0) {
    const k = pending.pop() as number;
    queued[k] = 0;
    const { total, parts } = relations[k];
    let rest = 0;
    let unknownParts = 0;
    for (const p of parts) {
      if (known(p)) rest += counts[p];
      else unknownParts++;
    }
    const pinned: number[] = [];
    if (known(total) && unknownParts > 0 && counts[total] - rest === 0) {
      for (const p of parts) if (!known(p)) pinned.push(p);
    } else if (!known(total) && unknownParts === 0 && rest === 0) {
      pinned.push(total);
    }
    for (const c of pinned) {
      zero[c] = 1;
      for (const j of relationsOf[c]) {
        if (!queued[j]) {
          queued[j] = 1;
          pending.push(j);
        }
      }
    }
  }
  return zero;
}
