import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { loadModels } from "../../src/io/modelFiles.ts";

const shipped = join(import.meta.dirname, "..", "..", "models");

describe("the shipped models", () => {
  it("all load through the model schema, one per band grade", async () => {
    const models = await loadModels(shipped);
    // 14 first-time models, 4 college readiness and persistence, and the follow-on ones the default state has students for.
    expect(models.map((m) => `${m.milestone}-${m.grade}`)).toHaveLength(22);
    for (const m of models) expect(m.fit.converged).toBe(true);
  });

  it("are exactly what `npm run models` trains from the default synthetic state", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-shipped-"));
    const quiet = () => {};
    expect(await main(["node", "ewis", "generate", "--students", "40000", "--seed", "1", "--out", join(work, "state.csv")], quiet)).toBe(0);
    expect(await main(["node", "ewis", "train", "--history", join(work, "state.csv"), "--out", join(work, "models")], quiet)).toBe(0);
    const names = (await readdir(shipped)).filter((f) => /-grade\d+\.json$/.test(f));
    expect(names).toHaveLength(22);
    for (const name of names) {
      expect(await readFile(join(work, "models", name), "utf8"), name).toBe(await readFile(join(shipped, name), "utf8"));
    }
  });
});
