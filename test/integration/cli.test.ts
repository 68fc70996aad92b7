import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { milestones, openMilestones, parseDrivers, riskModelSchema, riskTier, type Milestone } from "../../src/core/index.ts";
import { readHistory } from "../../src/io/readHistory.ts";
import { main } from "../../src/cli/main.ts";

const root = join(import.meta.dirname, "..", "..");
const smallState = join(root, "fixtures", "state-small.csv");
const run = promisify(execFile);

let work: string;
let logs: string[];
const ewis = (...args: string[]) => {
  logs = [];
  return main(["node", "ewis", ...args], (line) => logs.push(line));
};
const readCsv = async (file: string): Promise<Record<string, string>[]> => parse(await readFile(file, "utf8"), { columns: true });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-cli-"));
  expect(await ewis("train", "--history", smallState, "--out", join(work, "models"))).toBe(0);
});

describe("ewis train", () => {
  it("writes a valid model for every (milestone, grade) it could train and a reason for each it skipped", async () => {
    const report = JSON.parse(await readFile(join(work, "models", "training-report.json"), "utf8"));
    const files = (await readdir(join(work, "models"))).filter((f) => f.includes("-grade"));
    expect(files.length).toBe(report.models.length);
    expect(report.models.length).toBeGreaterThan(5);
    const bands = (Object.keys(milestones) as Milestone[]).flatMap((m) => milestones[m].grades.map((g) => `${m}-${g}`));
    const covered = [
      ...report.models.map((m: { milestone: string; grade: number }) => `${m.milestone}-${m.grade}`),
      ...report.skipped.flatMap((s: { milestone: string; grades: number[] }) => s.grades.map((g) => `${s.milestone}-${g}`)),
    ];
    expect(covered.sort()).toEqual(bands.sort());
    for (const s of report.skipped) expect(s.reason).toMatch(/needed|held out|no student on this path|as it is/);
    for (const file of files) {
      const model = riskModelSchema.parse(JSON.parse(await readFile(join(work, "models", file), "utf8")));
      expect(model.fit.converged).toBe(true);
      expect(model.validation.cohort).toBe(Math.max(...model.training.cohorts));
      expect(model.validation.cohort).toBeLessThan(report.lastSchoolYear);
      expect(model.validation.auc).toBeGreaterThan(0.5);
      expect(model.data.rows).toBe(report.history.accepted);
    }
    const markdown = await readFile(join(work, "models", "training-report.md"), "utf8");
    expect(markdown).toContain("| early_literacy | 3 |");
    expect(logs.at(-1)).toMatch(/models and the training report written/);
  });

  it("is reproducible: the same history trains byte-identical models", async () => {
    expect(await ewis("train", "--history", smallState, "--out", join(work, "again"))).toBe(0);
    const names = (await readdir(join(work, "models"))).filter((f) => f.endsWith(".json"));
    for (const name of names) {
      const a = await readFile(join(work, "models", name), "utf8");
      const b = await readFile(join(work, "again", name), "utf8");
      expect(b, name).toBe(a);
    }
  });

  it("stores configured cut-points and refuses bad ones with exit code 2", async () => {
    expect(await ewis("train", "--history", smallState, "--out", join(work, "cuts"), "--cut-points", "early_literacy=0.3,0.6")).toBe(0);
    const model = JSON.parse(await readFile(join(work, "cuts", "early_literacy-grade3.json"), "utf8"));
    expect(model.cutPoints).toEqual([0.3, 0.6]);
    expect(await ewis("train", "--history", smallState, "--out", join(work, "bad"), "--cut-points", "early_literacy=0.6,0.3")).toBe(2);
  });
});

describe("ewis train without a penalty", () => {
  it("skips a model whose fit separates, naming the features, and trains the rest", async () => {
    expect(await ewis("train", "--history", smallState, "--out", join(work, "unpenalised"), "--l2", "0")).toBe(0);
    const report = JSON.parse(await readFile(join(work, "unpenalised", "training-report.json"), "utf8"));
    const failed = report.skipped.filter((s: { reason: string }) => s.reason.startsWith("the fit failed"));
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) expect(s.reason).toMatch(/separate the outcome.*coefficients? of "[a-z_]+"/);
    expect(report.models.length).toBeGreaterThan(0);
    for (const m of report.models) expect(m.fit.converged).toBe(true);
  });
});

describe("ewis train --out safety", () => {
  it("refuses to replace a file or a directory holding files ewis did not write", async () => {
    const dir = join(work, "mine");
    await mkdir(dir);
    await writeFile(join(dir, "notes.txt"), "keep me");
    expect(await ewis("train", "--history", smallState, "--out", dir)).toBe(2);
    expect(await readFile(join(dir, "notes.txt"), "utf8")).toBe("keep me");
    expect(await ewis("train", "--history", smallState, "--out", smallState)).toBe(2);
    expect((await readFile(smallState, "utf8")).startsWith("student_id,")).toBe(true);
  });
});

describe("ewis score", () => {
  it("scores every enrolled student once per milestone of their grade, with tier and drivers", async () => {
    const out = join(work, "scores.csv");
    expect(await ewis("score", "--history", smallState, "--year", "2027", "--models", join(work, "models"), "--out", out)).toBe(0);
    const scores = await readCsv(out);
    const history = await readCsv(smallState);
    const models = new Map<string, [number, number]>();
    for (const f of (await readdir(join(work, "models"))).filter((f) => f.includes("-grade"))) {
      const m = JSON.parse(await readFile(join(work, "models", f), "utf8"));
      models.set(`${m.milestone}-${m.grade}`, m.cutPoints);
    }
    const table = (await readHistory(smallState)).table;
    const expected: string[] = [];
    const enrolled = new Set<string>();
    for (const { studentId, rows } of table.histories()) {
      const index = rows.findIndex((r) => r.school_year === 2027);
      if (index < 0 || rows[index].grade === 0) continue;
      enrolled.add(studentId);
      for (const m of openMilestones(rows, index)) expected.push(`${studentId}:${m}`);
    }
    const scored = scores.map((s) => `${s.student_id}:${s.milestone}`);
    expect(new Set(scored).size).toBe(scored.length);
    for (const key of scored) expect(expected).toContain(key);
    // Every student enrolled in grades 1–12 has a score; kindergarten alone goes unscored, and says so.
    expect(new Set(scores.map((s) => s.student_id))).toEqual(enrolled);
    expect(logs.join("\n")).toMatch(/not scored: \d+ \(kindergarten\)$/m);
    expect(logs.join("\n")).not.toMatch(/already settled/);
    // Open milestones without a model of their own for the grade were scored with their base's, and say so.
    const fallbacks = scores.filter((s) => s.scored_with !== "");
    for (const s of fallbacks) expect(models.has(`${s.milestone}-${s.grade}`)).toBe(false);
    // What is left open but unscored had no model in its chain, and the run counted it so.
    const noModel = [...logs.join("\n").matchAll(/(\d+) \(no \w+ model for grade \d+\)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(scored.length + noModel).toBe(expected.length);
    expect(Object.keys(scores[0])).toEqual(["student_id", "school_year", "district_id", "school_id", "grade", "milestone", "risk", "tier", "drivers", "already_decided", "scored_with"]);
    for (const s of scores) {
      const risk = Number(s.risk);
      expect(risk).toBeGreaterThan(0);
      expect(risk).toBeLessThan(1);
      expect(s.tier).toBe(riskTier(risk, models.get(`${s.scored_with || s.milestone}-${s.grade}`)!));
      const drivers = parseDrivers(s.drivers);
      expect(drivers.length).toBeLessThanOrEqual(3);
      for (let k = 1; k < drivers.length; k++) expect(drivers[k].contribution).toBeLessThanOrEqual(drivers[k - 1].contribution);
    }
    expect(scores.filter((s) => s.tier === "high").length).toBeGreaterThan(0);
    const kindergarten = history.filter((r) => r.school_year === "2027" && r.grade === "K").length;
    expect(logs.join("\n")).toContain(`not scored: ${kindergarten} (kindergarten)`);
  });

  it("gives the same scores when the scored year's test scores, course marks and exit status are removed", async () => {
    const year = "2024";
    const history = await readFile(smallState, "utf8");
    const [header, ...lines] = history.trimEnd().split("\n");
    const columns = header.split(",");
    const blank = ["ela_scaled", "math_scaled", "courses_attempted", "courses_failed", "exit_status", "postsecondary_enrolled", "postsecondary_remedial", "postsecondary_persisted"].map((c) => columns.indexOf(c));
    const yearColumn = columns.indexOf("school_year");
    let changed = 0;
    const stripped = lines.map((line) => {
      const cells = line.split(",");
      if (cells[yearColumn] !== year) return line;
      for (const c of blank) if (cells[c] !== "") (cells[c] = ""), changed++;
      return cells.join(",");
    });
    expect(changed).toBeGreaterThan(1000);
    await writeFile(join(work, "stripped.csv"), [header, ...stripped].join("\n") + "\n");
    const models = join(work, "models");
    expect(await ewis("score", "--history", smallState, "--year", year, "--models", models, "--out", join(work, "full.csv"))).toBe(0);
    expect(await ewis("score", "--history", join(work, "stripped.csv"), "--year", year, "--models", models, "--out", join(work, "stripped-scores.csv"))).toBe(0);
    const full = await readFile(join(work, "full.csv"), "utf8");
    expect(full.split("\n").length).toBeGreaterThan(1000);
    expect(await readFile(join(work, "stripped-scores.csv"), "utf8")).toBe(full);
  });

  it("fails with exit code 1 and a one-line reason when the model directory is missing", async () => {
    const code = await ewis("score", "--history", smallState, "--year", "2027", "--models", join(work, "nowhere"), "--out", join(work, "x.csv"));
    expect(code).toBe(1);
  });
});

describe("bad input through the command line", () => {
  it("exits 1 naming the missing column", async () => {
    const file = join(work, "no-grade.csv");
    await writeFile(file, "student_id,school_year,district_id,school_id,days_enrolled,days_present\nS1,2020,D1,E1,180,170\n");
    const child = run("node", [join(root, "bin", "ewis.js"), "check", "--history", file]);
    await expect(child).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/no-grade\.csv.*grade/) });
  });

  it("accepts a file with some bad rows, exits 0 and writes the rejects with line, column and value", async () => {
    const file = join(work, "some-bad.csv");
    const rejects = join(work, "some-bad.rejects.csv");
    await writeFile(
      file,
      "student_id,school_year,district_id,school_id,grade,days_enrolled,days_present,ela_scaled\nS1,2020,D1,E1,3,180,170,505\nS2,2020,D1,E1,3,180,170,605\n",
    );
    expect(await ewis("check", "--history", file, "--rejects", rejects)).toBe(0);
    expect(logs.join("\n")).toContain("2 rows read, 1 accepted, 1 rejected");
    const [reject] = await readCsv(rejects);
    expect(reject).toMatchObject({ line: "3", column: "ela_scaled", value: "605" });

    // Fixed and run again: the rejects file is rewritten, header only, never left stale.
    await writeFile(file, "student_id,school_year,district_id,school_id,grade,days_enrolled,days_present\nS1,2020,D1,E1,3,180,170\n");
    expect(await ewis("check", "--history", file, "--rejects", rejects)).toBe(0);
    expect(await readFile(rejects, "utf8")).toBe("line,column,value,reason,record\n");
  });

  it("reports a path the system refuses in one line, exit 1", async () => {
    const child = run("node", [join(root, "bin", "ewis.js"), "score", "--history", smallState, "--year", "2027", "--models", join(work, "models"), "--out", "/dev/null/x.csv"]);
    await expect(child).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^ewis: .*\/dev\/null.*\n$/) });
  });
});

describe("the installed command", () => {
  it("runs through bin/ewis.js with no build step", async () => {
    const out = join(work, "tiny.csv");
    const { stdout } = await run("node", [join(root, "bin", "ewis.js"), "generate", "--students", "300", "--seed", "5", "--out", out]);
    expect(stdout).toMatch(/300 students, \d+ student-year rows written/);
    expect((await readCsv(out)).length).toBeGreaterThan(300);
  });
});
