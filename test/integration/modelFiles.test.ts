import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModels } from "../../src/io/modelFiles.ts";
import { rejected as caught } from "../support/caught.ts";

const shipped = join(import.meta.dirname, "..", "..", "models");
const file = "early_literacy-grade3.json";

/** A copy of the shipped models with `file` rewritten by `change`. */
async function withChange(change: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ewis-models-"));
  await cp(shipped, dir, { recursive: true });
  await writeFile(join(dir, file), change(await readFile(join(dir, file), "utf8")));
  return dir;
}

describe("model files carry a checksum", () => {
  it("loads the shipped models, each verified", async () => {
    expect(await loadModels(shipped)).toHaveLength(22);
  });

  it("refuses a model whose coefficient was edited, naming the file", async () => {
    const dir = await withChange((text) => {
      const model = JSON.parse(text);
      model.intercept.coefficient += 0.1; // the checksum stays as it was
      return `${JSON.stringify(model, null, 2)}\n`;
    });
    const error = await caught(() => loadModels(dir));
    expect(error.code).toBe("invalid_model");
    expect(error.message).toMatch(/does not match its checksum/);
    expect(error.context.file).toBe(join(dir, file));
  });

  it("refuses a damaged file and one without a checksum", async () => {
    const truncated = await caught(() => withChange((text) => text.slice(0, text.length / 2)).then(loadModels));
    expect(truncated.message).toMatch(/not a JSON model file/);
    const unsigned = await caught(() => withChange((text) => text.replace(/,\n\s*"checksum": "[^"]+"/, "")).then(loadModels));
    expect(unsigned.message).toMatch(/carries no checksum/);
  });
});
