import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EwisError, formatEwisError } from "../../../src/core/index.ts";
import { readRoster } from "../../../src/io/rosterFile.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-roster-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

async function roster(name: string, content: string | Buffer) {
  const file = join(work, name);
  await writeFile(file, content);
  return file;
}

async function refusal(file: string): Promise<EwisError> {
  try {
    await readRoster(file);
  } catch (error) {
    if (error instanceof EwisError) return error;
    throw error;
  }
  throw new Error("the roster was read");
}

describe("a roster file", () => {
  it("gives each student's name and local id, columns in any order, spaces at the ends dropped", async () => {
    const file = await roster("good.csv", '\uFEFFlast_name,student_id,first_name,local_id\r\n" de la Cruz ",S1,María,L-77\r\n"O\'Brien, Jr.",S2,Bo,\r\n\r\n');
    expect([...(await readRoster(file))]).toEqual([
      ["S1", { first_name: "María", last_name: "de la Cruz", local_id: "L-77" }],
      ["S2", { first_name: "Bo", last_name: "O'Brien, Jr.", local_id: null }],
    ]);
    expect([...(await readRoster(await roster("no-local.csv", "student_id,first_name,last_name\nS3,Ana,Rivera\n")))]).toEqual([["S3", { first_name: "Ana", last_name: "Rivera", local_id: null }]]);
  });

  it("is refused whole, naming every problem's line and column and never a name", async () => {
    const names = ["Secretname", "Hidden\u200bname", "Dupname", "Longname".repeat(20)];
    const file = await roster(
      "bad.csv",
      ["student_id,first_name,last_name", `S1,${names[0]},`, `S2,${names[1]},Smith`, `S3,Ana,Rivera`, `S3,${names[2]},Rivera`, `not an id,Ana,Rivera`, `S5,${names[3]},X`].join("\n"),
    );
    const error = await refusal(file);
    expect(error.context).toEqual({ file, line: 2, column: "last_name" });
    expect(formatEwisError(error)).toBe(
      `${file}, line 2, column last_name: the roster has 5 problems, nothing was published: line 2, last_name is empty; ` +
        "line 3, first_name holds a control or invisible character; line 5, student_id is the same student as line 4; " +
        "line 6, student_id is not a student id (1–32 characters of A-Z a-z 0-9 _ -); line 7, first_name is longer than 100 characters",
    );
    for (const name of [...names, "not an id"]) expect(formatEwisError(error)).not.toContain(name);
  });

  it("is refused for a column it does not know, a missing name column, bytes that are not UTF-8 and a broken CSV", async () => {
    const unknown = await refusal(await roster("ssn.csv", "student_id,first_name,last_name,ssn\nS1,Ana,Rivera,123-45-6789\n"));
    expect(formatEwisError(unknown)).toMatch(/line 1: unknown roster column "ssn": a roster holds only student_id, first_name, last_name, local_id$/);
    expect(unknown.code).toBe("missing_column");
    expect(formatEwisError(await refusal(await roster("nolast.csv", "student_id,first_name\nS1,Ana\n")))).toMatch(/line 1: the roster has no last_name column$/);
    const headerless = formatEwisError(await refusal(await roster("headerless.csv", "S1,Ana,de la Cruz,L1\nS2,Bo,Chen,L2\n")));
    expect(headerless).toMatch(/line 1: a header cell that is no roster column \(is the header row missing\?\): a roster holds only/);
    for (const cell of ["S1", "de la Cruz", "L1"]) expect(headerless).not.toContain(cell);
    const latin1 = await refusal(await roster("latin1.csv", Buffer.concat([Buffer.from("student_id,first_name,last_name\nS1,Mar"), Buffer.from([0xed]), Buffer.from("a,Rivera\n")])));
    expect(formatEwisError(latin1)).toMatch(/line 2: the roster is not UTF-8 \(byte 38\); save it as UTF-8$/);
    const broken = await refusal(await roster("broken.csv", 'student_id,first_name,last_name\nS1,"Ana,Rivera\n'));
    expect(formatEwisError(broken)).toMatch(/the roster is not a valid CSV file \(CSV_QUOTE_NOT_CLOSED\)$/);
    expect(formatEwisError(broken)).not.toContain("Rivera");
    const ragged = await refusal(await roster("ragged.csv", "student_id,first_name,last_name\nS1,Ana,Rivera,extra\n"));
    expect(formatEwisError(ragged)).toMatch(/line 2: the roster is not a valid CSV file \(CSV_RECORD_INCONSISTENT_FIELDS_LENGTH\)$/);
    expect(formatEwisError(await refusal(join(work, "missing.csv")))).toMatch(/missing\.csv: the roster cannot be read: ENOENT/);
  });
});
