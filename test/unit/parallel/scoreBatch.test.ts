import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publishedScore, scoreTerm } from "../../../src/core/index.ts";
import { loadModels } from "../../../src/io/modelFiles.ts";
import { readHistory } from "../../../src/io/readHistory.ts";
import { ScoreDecoder, ScoreEncoder } from "../../../src/parallel/scoreBatch.ts";

const root = join(import.meta.dirname, "..", "..", "..");

describe("score batches between threads", () => {
  it("decode(encode(batch)) gives back every field of every score, batch after batch", async () => {
    const { table } = await readHistory(join(root, "fixtures", "state-small.csv"));
    const models = await loadModels(join(root, "models"));
    const scores = scoreTerm(table.histories(), 2025, models).scores.map(publishedScore);
    expect(scores.length).toBeGreaterThan(1000);
    // 2025 has scores of a follow-on milestone with a prior, and one scored by a stand-in model: both must cross.
    expect(scores.some((s) => s.prior !== null)).toBe(true);
    expect(scores.some((s) => s.scoredWith !== null)).toBe(true);
    expect(scores.some((s) => s.indicators.some(Number.isNaN))).toBe(true);

    const number = new Map(table.chunk.students.map((id, i) => [id, i]));
    const owners = scores.map((s) => number.get(s.student_id)!);
    const encoder = new ScoreEncoder();
    const decoder = new ScoreDecoder(table.chunk.students);
    const half = Math.floor(scores.length / 2);
    const first = encoder.encode(scores.slice(0, half), owners.slice(0, half));
    const second = encoder.encode(scores.slice(half), owners.slice(half));
    expect([...decoder.decode(first), ...decoder.decode(second)]).toEqual(scores);
    // Each distinct text crosses once: the second half sends only the values it is first to use.
    const distinct = new Set(scores.flatMap((s) => [s.milestone, s.district_id, s.school_id, s.tier, ...Object.values(s.subgroups), ...(s.scoredWith ? [s.scoredWith] : [])]));
    expect(first.strings.length + second.strings.length).toBe(distinct.size);
    expect(second.strings).not.toContain(scores[0].tier);
  });

  it("names each score's student from the writer's ids when the batch numbers them, sending no id text", async () => {
    const { table } = await readHistory(join(root, "fixtures", "state-small.csv"));
    const models = await loadModels(join(root, "models"));
    const ids = table.chunk.students;
    const scores = scoreTerm(table.histories(), 2025, models).scores.map(publishedScore);
    const owners = scores.map((s) => ids.indexOf(s.student_id));
    expect(owners.every((o) => o >= 0)).toBe(true);
    // As a worker scores them: with no ids of its own, every student named "".
    const unnamed = scores.map((s) => ({ ...s, student_id: "" }));
    const encoded = new ScoreEncoder().encode(unnamed, owners);
    expect(encoded.strings).not.toContain(scores[0].student_id);
    expect(encoded.strings).not.toContain("");
    expect(new ScoreDecoder(ids).decode(encoded)).toEqual(scores);
  });
});
