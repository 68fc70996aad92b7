import { computeRollups, countFields, rollupKeyString, smallCells, suppressionLoss, type RollupGroup, type SuppressionLoss } from "../core/index.ts";
import type { TermReads, TermRecord } from "../store/termStore.ts";

/**
 * What a published term's rollup suppression hides, per scope, measured again from the store:
 * the term's own scores give the true counts, its published cells what was hidden. So a term
 * published by any version of ewis can be compared with another, by the figures its run printed.
 */
export async function suppressionReport(reads: TermReads, term: TermRecord): Promise<{ threshold: number; loss: SuppressionLoss[] }> {
  const threshold = term.suppression_threshold;
  const truth = new Map(computeRollups(await reads.riskList(term.id), 1).map((c) => [rollupKeyString(c), c]));
  const cells = await reads.rollups(term.id);
  const groups: RollupGroup[] = [];
  const hidden = new Uint8Array(cells.length * 4);
  cells.forEach((c, i) => {
    const t = truth.get(rollupKeyString(c));
    if (!t) throw new Error(`rollup group ${rollupKeyString(c)} has no scores behind it`);
    groups.push({ key: c, counts: countFields.map((f) => t[f] as number) as RollupGroup["counts"] });
    countFields.forEach((f, k) => (hidden[i * 4 + k] = c[f] === null ? 1 : 0));
  });
  return { threshold, loss: suppressionLoss(groups, threshold, hidden, smallCells(groups, threshold)) };
}
