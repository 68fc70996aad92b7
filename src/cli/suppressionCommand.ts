import { computeRollups, countFields, rollupKeyString, smallCells, suppressionLoss, suppressionLossLine, type RollupGroup } from "../core/index.ts";
import { publishedTerm, readingStore } from "./browseCommands.ts";

/**
 * What a published term's rollup suppression hides, per scope: the lines the term run prints,
 * measured again from the store (the term's own scores give the true counts), so a term
 * published by any version of ewis can be compared with another.
 */
export async function suppressionCommand(options: { db: string; year: number; term: string }, log: (line: string) => void): Promise<void> {
  const { threshold, groups, hidden, small } = await readingStore(options.db, async (reads, stores) => {
    const term = await publishedTerm(reads, options.year, options.term, stores);
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
    return { threshold, groups, hidden, small: smallCells(groups, threshold) };
  });
  for (const loss of suppressionLoss(groups, threshold, hidden, small)) log(suppressionLossLine(loss, threshold));
}
