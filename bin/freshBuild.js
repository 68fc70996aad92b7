// Whether dist/ holds a whole build (its `built` stamp is written last) newer than every file it
// is built from: bin/ewis.js runs it then, and the TypeScript sources through tsx otherwise.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const buildSources = ["src", "training", join("fixtures", "synthetic")];

/** @param {string} root the package's folder */
export function freshBuild(root) {
  let stamp;
  try {
    stamp = statSync(join(root, "dist", "built")).mtimeMs;
  } catch {
    return false;
  }
  for (const folder of buildSources) {
    for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > stamp) return false;
    }
  }
  return statSync(join(root, "tsconfig.build.json")).mtimeMs <= stamp;
}
