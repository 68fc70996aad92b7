/**
 * Rewrites the column table of `docs/data-contract.md` (between `<!-- columns:begin -->` and
 * `<!-- columns:end -->`) from `contractColumnTable()`, the one column table in the code.
 * Run: `npx tsx docs/regenerate-contract-table.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contractColumnTable } from "../src/core/index.ts";

const BEGIN = "<!-- columns:begin -->";
const END = "<!-- columns:end -->";
const file = join(import.meta.dirname, "data-contract.md");

const text = readFileSync(file, "utf8");
const begin = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (begin < 0 || end < begin || text.indexOf(BEGIN, begin + 1) >= 0 || text.indexOf(END, end + 1) >= 0) {
  throw new Error(`${file} must hold ${BEGIN} once, then ${END} once`);
}
const updated = `${text.slice(0, begin + BEGIN.length)}\n${contractColumnTable()}\n${text.slice(end)}`;
if (updated === text) console.log(`${file}: column table already up to date`);
else {
  writeFileSync(file, updated);
  console.log(`${file}: column table rewritten`);
}
