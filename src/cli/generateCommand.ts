import { writeSyntheticState } from "../../fixtures/synthetic/generate.ts";
import { writeStreamAtomic } from "../io/atomicWrite.ts";

export async function generateCommand(options: { students: number; seed: number; out: string }, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const written = await writeStreamAtomic(options.out, (out) => writeSyntheticState({ students: options.students, seed: options.seed }, out));
  log(`${written.students} students, ${written.rows} student-year rows written to ${options.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
