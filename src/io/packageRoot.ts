import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The folder of ewis' package.json: the pages, the Chart.js bundle and the version are found
 * from it, whether this file runs from src/io or compiled to dist/src/io.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src", "web"))) return dir;
    if (dirname(dir) === dir) throw new Error(`ewis: no package root above ${from}`);
  }
}

export const packageRoot: string = findRoot(import.meta.dirname);
