import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { dirname } from "node:path";

/** Write beside the target and rename over it, so a crash never leaves a half-written file. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Fill a fresh directory and swap it in for `dir`: a model set is replaced whole, so no stale
 * model from an earlier run (one now skipped) survives beside the new ones.
 */
export async function replaceDirectory(dir: string, fill: (staging: string) => Promise<void>): Promise<void> {
  const staging = `${dir}.${process.pid}.staging`;
  const previous = `${dir}.${process.pid}.previous`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await fill(staging);
    await rename(dir, previous).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(staging, dir);
    await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The streaming form of `writeFileAtomic`, for files too large to hold as one string. */
export async function writeStreamAtomic<T>(file: string, write: (out: WriteStream) => Promise<T>): Promise<T> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const out = createWriteStream(temporary);
    const result = await write(out);
    out.end();
    await finished(out);
    await rename(temporary, file);
    return result;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export function writeLinesAtomic(file: string, lines: Iterable<string>): Promise<void> {
  return writeStreamAtomic(file, async (out) => {
    for (const line of lines) {
      if (!out.write(`${line}\n`)) await once(out, "drain");
    }
  });
}
