import { describe, expect, it } from "vitest";
import { stageChart, type StageRun } from "../../../bench/stageChart.ts";

const run = (store: StageRun["store"], students: number, read: number, score: number, rollups: number, publish: number): StageRun => ({
  store,
  students,
  seconds: read + score + rollups + publish,
  stageSeconds: { read, score, rollups, publish },
});

/** The polyline points of the chart's lines, in drawing order, as [x, y] pairs. */
const lines = (svg: string) =>
  [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1].split(" ").map((p) => p.split(",").map(Number)));

describe("the stage chart", () => {
  const runs = [run("sqlite", 10_000, 0.3, 0.2, 0.3, 0.1), run("sqlite", 100_000, 3, 2, 1, 0.3), run("sqlite", 1_000_000, 30, 20, 10, 3), run("postgres", 1_000_000, 31, 25, 9, 5)];
  const svg = stageChart(runs, { title: "term run", targets: [{ store: "sqlite", students: 1_000_000, seconds: 30 }] });

  it("draws a line per stage and the whole run for each store, a point per run", () => {
    const drawn = lines(svg);
    expect(drawn).toHaveLength(5 * 2);
    expect(drawn.slice(0, 5).map((points) => points.length)).toEqual([3, 3, 3, 3, 3]);
    expect(drawn.slice(5).map((points) => points.length)).toEqual([1, 1, 1, 1, 1]);
    expect(svg.match(/<circle /g)).toHaveLength(5 * 3 + 5);
  });

  it("puts ten times the students and ten times the seconds one decade further on both log axes", () => {
    const [read] = lines(svg);
    const [[x1, y1], [x2, y2], [x3, y3]] = read;
    expect(x2 - x1).toBeCloseTo(x3 - x2, 6);
    expect(y1 - y2).toBeCloseTo(y2 - y3, 6);
    expect(y3).toBeLessThan(y1); // more seconds, higher up
  });

  it("marks the goal, names every figure in its description, and leaves a 0 s stage off the log scale", () => {
    expect(svg).toContain("goal 30 s (SQLite)");
    expect(svg).toContain("<desc id=\"desc\">sqlite 10000 students: 0.9 s (read 0.3 s, score 0.2 s, rollups 0.3 s, publish 0.1 s)");
    const withZero = stageChart([run("sqlite", 10_000, 0.3, 0.2, 0.3, 0), run("sqlite", 100_000, 3, 2, 1, 0.3)], { title: "t" });
    expect(lines(withZero)[3]).toHaveLength(1);
    expect(() => stageChart([], { title: "t" })).toThrow("no runs");
  });
});
