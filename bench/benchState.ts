import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeStreamAtomic } from "../src/io/atomicWrite.ts";
import { writeSyntheticState } from "../fixtures/synthetic/generate.ts";

/** The generator draws students over the window; about 76 % of them are enrolled in its last year. */
const ENROLLED_SHARE = 0.76;
export const CURRENT_YEAR = 2027;
export const FIRST_YEAR = CURRENT_YEAR - 3;

/** The state of `size` current students, generated on first use into .cache/bench/ (same options, same bytes). */
export async function cachedState(size: number, seed: number): Promise<string> {
  const dir = join(import.meta.dirname, "..", ".cache", "bench");
  const file = join(dir, `state-${size}-seed${seed}.csv`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    const students = Math.round(size / ENROLLED_SHARE);
    await writeStreamAtomic(file, (out) => writeSyntheticState({ students, seed, firstYear: FIRST_YEAR, currentYear: CURRENT_YEAR }, out));
  }
  return file;
}
