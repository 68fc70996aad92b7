import { writeSyntheticState } from "../../fixtures/synthetic/generate.ts";
import { writeStreamAtomic } from "../io/atomicWrite.ts";

export async function generateCommand(options: { students: number; seed: number; out: string; roster?: string }, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const { roster } = options;
  const written = await writeStreamAtomic(options.out, (out) =>
    roster === undefined ? writeSyntheticState({ students: options.students, seed: options.seed }, out) : writeStreamAtomic(roster, (names) => writeSyntheticState({ students: options.students, seed: options.seed }, out, names)),
  );
  log(`${written.students} students, ${written.rows} student-year rows written to ${options.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (roster !== undefined) log(`their made-up names and local ids written to ${roster}`);
}
