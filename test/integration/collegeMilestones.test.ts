import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";

/**
 * College readiness and persistence read two optional columns. A state that does not collect
 * them still trains every other model, and is told once, per milestone, why these two were not.
 */

const smallState = join(import.meta.dirname, "..", "..", "fixtures", "state-small.csv");

async function withoutCollegeColumns(): Promise<string> {
  const [header, ...lines] = (await readFile(smallState, "utf8")).trimEnd().split("\n");
  const columns = header.split(",");
  const keep = columns.map((c, i) => (c === "postsecondary_remedial" || c === "postsecondary_persisted" ? -1 : i)).filter((i) => i >= 0);
  const file = join(await mkdtemp(join(tmpdir(), "ewis-college-")), "no-college-columns.csv");
  const pick = (line: string) => {
    const cells = line.split(",");
    return keep.map((i) => cells[i]).join(",");
  };
  await writeFile(file, `${[pick(header), ...lines.map(pick)].join("\n")}\n`);
  return file;
}

async function train(history: string, out: string) {
  const logs: string[] = [];
  expect(await main(["node", "ewis", "train", "--history", history, "--out", out], (line) => logs.push(line))).toBe(0);
  return { logs, report: JSON.parse(await readFile(join(out, "training-report.json"), "utf8")) };
}

describe("a history without the college readiness and persistence columns", () => {
  it("trains every other model as the full history does and says once per milestone why these two were skipped", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-college-models-"));
    const without = await train(await withoutCollegeColumns(), join(work, "without"));
    const full = await train(smallState, join(work, "full"));

    const lines = (milestone: string) => without.logs.filter((l) => l.startsWith(`${milestone} `));
    for (const milestone of ["postsecondary_readiness", "postsecondary_persistence"]) {
      expect(lines(milestone)).toHaveLength(1);
      expect(lines(milestone)[0]).toMatch(new RegExp(`^${milestone} grades 11, 12: skipped, the history has no postsecondary_(remedial|persisted) values for its graduates`));
      expect(without.report.models.some((m: { milestone: string }) => m.milestone === milestone)).toBe(false);
      // With the columns, the same small state trains them.
      expect(full.report.models.some((m: { milestone: string }) => m.milestone === milestone)).toBe(true);
    }
    const others = (report: { models: { milestone: string; grade: number }[] }) =>
      report.models.filter((m) => !/postsecondary_(readiness|persistence)/.test(m.milestone)).map((m) => `${m.milestone}-${m.grade}`);
    expect(others(without.report)).toEqual(others(full.report));
    for (const name of ["early_literacy-grade3.json", "postsecondary_enrollment-grade12.json"]) {
      const a = JSON.parse(await readFile(join(work, "without", name), "utf8"));
      const b = JSON.parse(await readFile(join(work, "full", name), "utf8"));
      expect(a.features).toEqual(b.features);
      expect(a.validation.auc).toBe(b.validation.auc);
    }
  });
});
