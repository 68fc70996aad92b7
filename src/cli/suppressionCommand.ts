import { suppressionReport } from "../app/suppressionReport.ts";
import { suppressionLossLine } from "../core/index.ts";
import { publishedTerm, readingStore } from "./browseCommands.ts";

/** `ewis suppression`: the lines the term run printed on what suppression hides, for any published term. */
export async function suppressionCommand(options: { db: string; year: number; term: string }, log: (line: string) => void): Promise<void> {
  const { threshold, loss } = await readingStore(options.db, async (reads, stores) => suppressionReport(reads, await publishedTerm(reads, options.year, options.term, stores)));
  for (const l of loss) log(suppressionLossLine(l, threshold));
}
