import { EwisError, type HistoryTable } from "../core/index.ts";
import { readHistory, writeRejects, type HistoryReadResult } from "../io/readHistory.ts";

/**
 * Reads a history for a command: prints rows read / accepted / rejected and any warnings,
 * writes the rejects file (header only when there are none), and stops the run when nothing was accepted.
 */
export async function readHistoryForRun(file: string, rejectsFile: string, log: (line: string) => void): Promise<HistoryReadResult> {
  const result = await readHistory(file);
  logRead(file, result, log);
  await writeRejects(rejectsFile, result.rejects);
  if (result.rejects.length > 0) log(`rejected rows with line, column, value and reason: ${rejectsFile}`);
  if (result.accepted === 0) throw new EwisError("invalid_file", "no valid rows to work with", { file });
  return result;
}

/** What every command says after reading a history: its warnings and rows read / accepted / rejected. */
export function logRead(file: string, result: HistoryReadResult, log: (line: string) => void): void {
  for (const warning of result.warnings) log(`warning: ${warning}`);
  log(`${file}: ${result.read} rows read, ${result.accepted} accepted, ${result.rejected} rejected`);
}

/** The error for a scored year in which no student of the history is enrolled, naming the years it holds. */
export function noOneEnrolled(year: number, table: HistoryTable, file: string): EwisError {
  return new EwisError("invalid_argument", `no student is enrolled in ${year}; the history holds ${table.firstYear} to ${table.lastYear}`, { file });
}
