import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EwisError, riskModelSchema, type RiskModel } from "../core/index.ts";
import { replaceDirectory } from "./atomicWrite.ts";

const modelFileName = (model: Pick<RiskModel, "milestone" | "grade">): string => `${model.milestone}-grade${model.grade}.json`;
const modelFilePattern = /^[a-z_]+-grade\d+\.json$/;
/** What `ewis evaluate` may add beside the models: a train may replace those too. */
const evaluationFilePattern = /^(evaluation\.(json|html|rejects\.csv)|model-card-[a-z_]+\.md)$/;

/** NaN has no JSON form; a metric that could not be computed is written as null. */
export const toJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Replaces `dir` whole with the new models. It refuses a path that is a file, or a directory
 * holding anything ewis did not write there: `--out` pointed at the wrong place must not
 * delete a history or someone's notes.
 */
export async function writeModelDirectory(dir: string, models: readonly RiskModel[], extraFiles: Record<string, string> = {}): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new EwisError("invalid_argument", "is a file, not a model directory; choose another --out", { file: dir });
  }
  if (existing) {
    const foreign = (await readdir(dir)).filter((name) => !modelFilePattern.test(name) && !evaluationFilePattern.test(name) && !(name in extraFiles));
    if (foreign.length > 0) {
      throw new EwisError("invalid_argument", `holds files ewis did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); choose an empty or model directory for --out`, {
        file: dir,
      });
    }
  }
  await replaceDirectory(dir, async (staging) => {
    for (const model of models) await writeFile(join(staging, modelFileName(model)), modelFileText(model));
    for (const [name, content] of Object.entries(extraFiles)) await writeFile(join(staging, name), content);
  });
}

/**
 * A model file: the model's JSON with a `checksum` over that JSON (without the checksum) added
 * last. It catches a file corrupted on disk or edited by hand after training; it is not a
 * signature, since anyone who can write the file can recompute it.
 */
function modelFileText(model: RiskModel): string {
  return toJson({ ...model, checksum: checksumOf(toJson(model)) });
}

function checksumOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** The model without its checksum, or an error naming the file when the checksum is missing or wrong. */
function verified(json: unknown, file: string): unknown {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
  const { checksum, ...model } = json as Record<string, unknown>;
  if (typeof checksum !== "string") {
    throw new EwisError("invalid_model", "carries no checksum (written by an older ewis, or not by ewis); train the models again", { file });
  }
  if (checksum !== checksumOf(toJson(model))) {
    throw new EwisError("invalid_model", "does not match its checksum: it was changed or damaged after training; restore it or train again", { file });
  }
  return model;
}

export async function loadModels(dir: string): Promise<RiskModel[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => modelFilePattern.test(name)).sort();
  } catch {
    throw new EwisError("model_not_found", `no model directory at ${dir}; train one with \`ewis train\``, { file: dir });
  }
  if (names.length === 0) throw new EwisError("model_not_found", `no model files (*-gradeN.json) in ${dir}`, { file: dir });
  const models: RiskModel[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new EwisError("invalid_model", `not a JSON model file: ${(error as Error).message}`, { file });
    }
    const parsed = riskModelSchema.safeParse(verified(json, file));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EwisError("invalid_model", `not a valid ewis model: ${issue.path.join(".")} ${issue.message}`, { file });
    }
    models.push(parsed.data);
  }
  return models;
}
