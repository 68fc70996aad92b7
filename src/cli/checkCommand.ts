import { readHistoryForRun } from "./historyInput.ts";

export async function checkCommand(options: { history: string; rejects?: string }, log: (line: string) => void): Promise<void> {
  await readHistoryForRun(options.history, options.rejects ?? `${options.history}.rejects.csv`, log);
}
