import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { EwisError, studentYearColumns, type StudentYear } from "../../src/core/index.ts";
import { duplicateKeyColumn, readHistory, wholeRowColumn, writeRejects, type HistoryReadResult, type Reject } from "../../src/io/readHistory.ts";
import { firstInvalidUtf8, Utf8CheckStream } from "../../src/io/utf8Decoder.ts";
import { sampleCells } from "../support/studentRows.ts";

type Column = (typeof studentYearColumns)[number];

const dir = mkdtempSync(join(tmpdir(), "ewis-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function csvFile(content: string | Buffer): string {
  const file = join(dir, `history-${++fileCount}.csv`);
  writeFileSync(file, content);
  return file;
}

const header = studentYearColumns.join(",");
const base = sampleCells;

/** A contract row; `over` replaces cells verbatim (no quoting). */
function row(over: Partial<Record<Column, string>> = {}): string {
  return studentYearColumns.map((c) => over[c] ?? base[c]).join(",");
}

type ReadWithRows = HistoryReadResult & { rows: StudentYear[] };

/**
 * Reads on one thread and in two parallel ranges, checks that both say exactly the same, and
 * checks the invariant every result must keep.
 */
async function read(file: string): Promise<ReadWithRows> {
  const result = await readHistory(file, { readers: 1 });
  const parallel = await readHistory(file, { readers: 2 });
  const rows = result.table.rows();
  expect({ ...parallel, table: parallel.table.rows(), readers: 0 }).toEqual({ ...result, table: rows, readers: 0 });
  expect(result.read).toBe(result.accepted + result.rejected);
  expect(rows).toHaveLength(result.accepted);
  expect(new Set(result.rejects.map((r) => r.line)).size).toBe(result.rejected);
  return { ...result, rows };
}

async function readError(file: string): Promise<EwisError> {
  const refusal = async (readers: number) => {
    try {
      await readHistory(file, { readers });
    } catch (error) {
      expect(error).toBeInstanceOf(EwisError);
      return error as EwisError;
    }
    throw new Error(`expected ${file} to be refused`);
  };
  const [one, two] = [await refusal(1), await refusal(2)];
  expect(two.message).toBe(one.message);
  return one;
}

describe("readHistory: valid rows", () => {
  it("parses a row into typed values and fingerprints the bytes", async () => {
    const content = `${header}\n${row()}\n`;
    const file = csvFile(content);
    const result = await read(file);
    expect(result).toMatchObject({ read: 1, accepted: 1, rejected: 0, rejects: [], warnings: [] });
    expect(result.rows[0]).toMatchObject({
      student_id: "S-001",
      school_year: 2024,
      grade: 7,
      birth_date: "2011-04-02",
      low_income: 1,
      ell: 0,
      days_enrolled: 180,
      days_present: 170,
      iss_count: 1,
      ela_scaled: 505,
      courses_failed: 1,
      exit_status: "enrolled",
    });
    expect(result.rows[0].postsecondary_enrolled).toBeUndefined();
    expect(result.sha256).toBe(createHash("sha256").update(content).digest("hex"));
  });

  it("reads K as grade 0 and fills the defaults for blank counts and exit_status", async () => {
    const blanks = { iss_count: "", oss_count: "", school_moves: "", exit_status: "" };
    const optionalBlank = { birth_date: "", gender: "", race_ethnicity: "", ell: "", ela_scaled: "", math_scaled: "", courses_attempted: "", courses_failed: "" };
    const result = await read(csvFile(`${header}\n${row({ grade: "K", ...blanks, ...optionalBlank })}\n`));
    expect(result.rejects).toEqual([]);
    const [r] = result.rows;
    expect(r).toMatchObject({ grade: 0, iss_count: 0, oss_count: 0, school_moves: 0, exit_status: "enrolled" });
    for (const c of ["birth_date", "gender", "race_ethnicity", "ell", "ela_scaled", "math_scaled", "courses_attempted", "courses_failed"] as const) {
      expect(r[c]).toBeUndefined();
    }
  });

  it("keeps file order and accepts a header-only file as zero rows", async () => {
    const result = await read(csvFile(`${header}\n${row({ student_id: "B" })}\n${row({ student_id: "A" })}\n${row({ student_id: "C" })}`));
    expect(result.rows.map((r) => r.student_id)).toEqual(["B", "A", "C"]);
    expect(await read(csvFile(`${header}\n`))).toMatchObject({ read: 0, accepted: 0, rejected: 0, rows: [] });
    expect(await read(csvFile(header))).toMatchObject({ read: 0, accepted: 0, rejected: 0 });
  });
});

describe("readHistory: one bad cell rejects its row with line, column, value and reason", () => {
  const cases: [string, Partial<Record<Column, string>>, Column, string][] = [
    ["id pattern", { student_id: "S 001!" }, "student_id", "student_id must be 1-32 characters of A-Z a-z 0-9 _ -"],
    ["id length", { student_id: "x".repeat(33) }, "student_id", "student_id must be 1-32 characters of A-Z a-z 0-9 _ -"],
    ["required blank", { days_present: "" }, "days_present", "days_present is required but blank"],
    ["year below range", { school_year: "1989" }, "school_year", "school_year must be between 1990 and 2100"],
    ["year above range", { school_year: "2101" }, "school_year", "school_year must be between 1990 and 2100"],
    ["year not a number", { school_year: "2024-25" }, "school_year", "school_year must be a whole number between 1990 and 2100"],
    ["district too long", { district_id: "D".repeat(33) }, "district_id", "district_id must be at most 32 characters"],
    ["grade 13", { grade: "13" }, "grade", "grade must be K or 1 to 12"],
    ["grade 0 (K is written K)", { grade: "0" }, "grade", "grade must be K or 1 to 12"],
    ["grade lower-case k", { grade: "k" }, "grade", "grade must be K or 1 to 12"],
    ["grade 07", { grade: "07" }, "grade", "grade must be K or 1 to 12"],
    ["birth date format", { birth_date: "04/02/2011" }, "birth_date", "birth_date must be a date YYYY-MM-DD"],
    ["birth date calendar", { birth_date: "2011-02-30" }, "birth_date", "birth_date must be a real calendar date"],
    ["gender code", { gender: "X" }, "gender", "gender must be F, M or N"],
    ["race code", { race_ethnicity: "Z" }, "race_ethnicity", "race_ethnicity must be one of A B H M N P W"],
    ["flag 2", { low_income: "2" }, "low_income", "low_income must be 0 or 1"],
    ["flag yes", { ell: "yes" }, "ell", "ell must be 0 or 1"],
    ["flag former_ell", { former_ell: "Y" }, "former_ell", "former_ell must be 0 or 1"],
    ["flag sped", { sped: "true" }, "sped", "sped must be 0 or 1"],
    ["flag homeless", { homeless: "-1" }, "homeless", "homeless must be 0 or 1"],
    ["flag foster_care", { foster_care: "01" }, "foster_care", "foster_care must be 0 or 1"],
    ["flag postsecondary", { postsecondary_enrolled: "2" }, "postsecondary_enrolled", "postsecondary_enrolled must be 0 or 1"],
    ["flag postsecondary_remedial", { postsecondary_remedial: "yes" }, "postsecondary_remedial", "postsecondary_remedial must be 0 or 1"],
    ["flag postsecondary_persisted", { postsecondary_persisted: "1.0" }, "postsecondary_persisted", "postsecondary_persisted must be 0 or 1"],
    [
      "remedial without enrolment",
      { exit_status: "graduated", postsecondary_enrolled: "0", postsecondary_remedial: "1" },
      "postsecondary_remedial",
      "postsecondary_remedial is 1 but postsecondary_enrolled is 0",
    ],
    [
      "persisted without enrolment",
      { exit_status: "graduated", postsecondary_enrolled: "0", postsecondary_persisted: "1" },
      "postsecondary_persisted",
      "postsecondary_persisted is 1 but postsecondary_enrolled is 0",
    ],
    ["days enrolled above 366", { days_enrolled: "367" }, "days_enrolled", "days_enrolled must be between 0 and 366"],
    ["days enrolled not a number", { days_enrolled: "n/a" }, "days_enrolled", "days_enrolled must be a whole number between 0 and 366"],
    ["days present negative", { days_present: "-3" }, "days_present", "days_present must be between 0 and 366"],
    ["days present above enrolled and 366", { days_present: "400" }, "days_present", "days_present must be between 0 and 366"],
    ["days present fraction", { days_present: "170.5" }, "days_present", "days_present must be a whole number between 0 and 366"],
    ["present > enrolled", { days_present: "181" }, "days_present", "days_present must not exceed days_enrolled (180)"],
    ["negative iss", { iss_count: "-1" }, "iss_count", "iss_count must be at least 0"],
    ["negative oss", { oss_count: "-2" }, "oss_count", "oss_count must be at least 0"],
    ["fractional moves", { school_moves: "1.5" }, "school_moves", "school_moves must be a whole number at least 0"],
    ["negative courses attempted", { courses_attempted: "-1", courses_failed: "" }, "courses_attempted", "courses_attempted must be at least 0"],
    ["ela below 440", { ela_scaled: "439" }, "ela_scaled", "ela_scaled must be between 440 and 560"],
    ["ela above 560", { ela_scaled: "561" }, "ela_scaled", "ela_scaled must be between 440 and 560"],
    ["math above 560", { math_scaled: "600" }, "math_scaled", "math_scaled must be between 440 and 560"],
    ["failed > attempted", { courses_attempted: "5", courses_failed: "6" }, "courses_failed", "courses_failed must not exceed courses_attempted (5)"],
    ["failed without attempted", { courses_attempted: "", courses_failed: "1" }, "courses_failed", "courses_failed is given but courses_attempted is blank"],
    ["exit status code", { exit_status: "graduate" }, "exit_status", "exit_status must be one of enrolled, graduated, dropped_out, transferred_out, other"],
    ["exit status case", { exit_status: "Graduated" }, "exit_status", "exit_status must be one of enrolled, graduated, dropped_out, transferred_out, other"],
  ];

  it.each(cases)("%s", async (_name, over, column, reason) => {
    const bad = row({ student_id: "BAD", ...over });
    const result = await read(csvFile(`${header}\n${row({ student_id: "A" })}\n${bad}\n${row({ student_id: "C" })}\n`));
    expect(result).toMatchObject({ read: 3, accepted: 2, rejected: 1 });
    expect(result.rows.map((r) => r.student_id)).toEqual(["A", "C"]);
    expect(result.rejects).toEqual([{ line: 3, column, value: over[column], reason, record: bad }]);
  });

  it("blames only the bad cell when a compared column is itself out of range", async () => {
    const result = await read(csvFile(`${header}\n${row({ days_enrolled: "-1", days_present: "0" })}\n`));
    expect(result.rejects.map((r) => [r.column, r.value, r.reason])).toEqual([["days_enrolled", "-1", "days_enrolled must be between 0 and 366"]]);
  });

  it("gives one reject per bad cell but counts the row once", async () => {
    const bad = row({ gender: "X", ela_scaled: "900", exit_status: "left" });
    const result = await read(csvFile(`${header}\n${bad}\n`));
    expect(result).toMatchObject({ read: 1, accepted: 0, rejected: 1 });
    expect(result.rejects.map((r) => [r.line, r.column, r.value])).toEqual([
      [2, "gender", "X"],
      [2, "ela_scaled", "900"],
      [2, "exit_status", "left"],
    ]);
    expect(new Set(result.rejects.map((r) => r.record))).toEqual(new Set([bad]));
  });
});

describe("readHistory: college outcomes need enrolment (postsecondary_remedial, postsecondary_persisted)", () => {
  const flagValues = ["", "0", "1"];
  /** Every combination of the three college flags, for a graduate. */
  const combos = flagValues.flatMap((enrolled) =>
    flagValues.flatMap((remedial) => flagValues.map((persisted) => ({ enrolled, remedial, persisted }))),
  );
  type Combo = (typeof combos)[number];
  const outcomes = ["postsecondary_remedial", "postsecondary_persisted"] as const;
  const cellsOf = (c: Combo) => ({ postsecondary_enrolled: c.enrolled, postsecondary_remedial: c.remedial, postsecondary_persisted: c.persisted });
  /** The outcome columns the contract blames: 1 while postsecondary_enrolled is 0. */
  const blamed = (c: Combo) => (c.enrolled === "0" ? outcomes.filter((name) => cellsOf(c)[name] === "1") : []);
  const flagValue = (cell: string) => (cell === "" ? undefined : Number(cell));
  /** Each combination for `students` students, in turn: enough rows to be read in parallel ranges. */
  const students = 12;
  const lines = Array.from({ length: students }, (_, s) =>
    combos.map((c, k) => ({ combo: c, over: { student_id: `G${s}-${k}`, grade: "12", exit_status: "graduated", ...cellsOf(c) } as Partial<Record<Column, string>> })),
  ).flat();
  /** A row of `columns` only, in that order. */
  const lineOf = (columns: readonly Column[], over: Partial<Record<Column, string>>) => columns.map((c) => over[c] ?? base[c]).join(",");

  it("rejects an outcome of 1 when postsecondary_enrolled is 0, naming the line, column and value; 0, or enrolment 1 or blank, is accepted", async () => {
    const content = `${header}\n${lines.map((l) => row(l.over)).join("\n")}\n`;
    const file = csvFile(content);
    const result = await read(file);
    const expectedRejects = lines.flatMap((l, i) =>
      blamed(l.combo).map((column) => ({ line: i + 2, column, value: "1", reason: `${column} is 1 but postsecondary_enrolled is 0`, record: row(l.over) })),
    );
    const accepted = lines.filter((l) => blamed(l.combo).length === 0);
    // 5 of the 27 combinations contradict: enrolled 0 with remedial 1, persisted 1 or both.
    expect(combos.filter((c) => blamed(c).length > 0)).toHaveLength(5);
    expect(result).toMatchObject({ read: lines.length, accepted: accepted.length, rejected: lines.length - accepted.length });
    expect(result.rejects).toEqual(expectedRejects);
    expect(result.rows.map((r) => [r.student_id, r.postsecondary_enrolled, r.postsecondary_remedial, r.postsecondary_persisted])).toEqual(
      accepted.map((l) => [l.over.student_id, flagValue(l.combo.enrolled), flagValue(l.combo.remedial), flagValue(l.combo.persisted)]),
    );
    // Accepted in particular: 0 with enrolment 0, and 1 with enrolment 1 or blank.
    const acceptedIds = new Set(result.rows.map((r) => r.student_id));
    const idOf = (c: Combo) => `G0-${combos.findIndex((x) => x.enrolled === c.enrolled && x.remedial === c.remedial && x.persisted === c.persisted)}`;
    for (const c of [
      { enrolled: "0", remedial: "0", persisted: "0" },
      { enrolled: "1", remedial: "1", persisted: "1" },
      { enrolled: "", remedial: "1", persisted: "1" },
    ]) {
      expect(acceptedIds.has(idOf(c)), JSON.stringify(c)).toBe(true);
    }
    // Parallel ranges that really split the file say the same as one thread.
    const { rows, ...one } = result;
    for (const readers of [2, 3]) {
      const parallel = await readHistory(file, { readers });
      expect(parallel.readers).toBe(readers);
      expect({ ...parallel, table: parallel.table.rows(), readers: 0 }).toEqual({ ...one, table: rows, readers: 0 });
    }
  });

  it("judges the rule with only one outcome column present", async () => {
    const columns = studentYearColumns.filter((c) => c !== "postsecondary_persisted");
    const line = (over: Partial<Record<Column, string>>) => lineOf(columns, over);
    const bad = line({ student_id: "R1", postsecondary_enrolled: "0", postsecondary_remedial: "1" });
    const result = await read(csvFile(`${columns.join(",")}\n${bad}\n${line({ student_id: "R2", postsecondary_enrolled: "1", postsecondary_remedial: "1" })}\n`));
    expect(result.rejects).toEqual([{ line: 2, column: "postsecondary_remedial", value: "1", reason: "postsecondary_remedial is 1 but postsecondary_enrolled is 0", record: bad }]);
    expect(result.rows.map((r) => [r.student_id, r.postsecondary_remedial, r.postsecondary_persisted])).toEqual([["R2", 1, undefined]]);
  });

  it("reads a file without the two columns (the older contract) to the same accepted rows as one with them blank", async () => {
    const older = studentYearColumns.filter((c) => !(outcomes as readonly string[]).includes(c));
    expect(older).toHaveLength(studentYearColumns.length - 2);
    const overs = lines.map((l) => ({ ...l.over, postsecondary_remedial: "", postsecondary_persisted: "" }));
    // One bad row, so the files agree on rejects too.
    overs[5] = { ...overs[5], grade: "13" };
    const olderFile = csvFile(`${older.join(",")}\n${overs.map((o) => lineOf(older, o)).join("\n")}\n`);
    const newerFile = csvFile(`${header}\n${overs.map((o) => row(o)).join("\n")}\n`);
    const [old, now] = [await read(olderFile), await read(newerFile)];
    expect(old.warnings).toEqual([]);
    expect(old).toMatchObject({ read: overs.length, accepted: overs.length - 1, rejected: 1 });
    expect(old.rows).toEqual(now.rows);
    expect(old.rejects.map(({ record: _, ...r }) => r)).toEqual(now.rejects.map(({ record: _, ...r }) => r));
    for (const r of old.rows) {
      expect(r.postsecondary_remedial).toBeUndefined();
      expect(r.postsecondary_persisted).toBeUndefined();
    }
    // Enrolment 0 with no outcome columns at all is no contradiction.
    expect(old.rows.some((r) => r.postsecondary_enrolled === 0)).toBe(true);
    for (const readers of [2, 3]) {
      const parallel = await readHistory(olderFile, { readers });
      expect(parallel.readers).toBe(readers);
      expect(parallel.table.rows()).toEqual(old.rows);
    }
  });
});

describe("readHistory: cells are not trimmed", () => {
  it("rejects a cell with surrounding whitespace, even where the schema would take it", async () => {
    const lines = [row({ student_id: "A", grade: " 7" }), row({ student_id: "B", district_id: "D1 " }), row({ student_id: "C", ela_scaled: "505\t" }), row({ student_id: "D", gender: "\u00a0F" })];
    const result = await read(csvFile(`${header}\n${lines.join("\n")}\n`));
    expect(result).toMatchObject({ read: 4, accepted: 0, rejected: 4 });
    expect(result.rejects.map((r) => [r.line, r.column, r.value, r.reason])).toEqual([
      [2, "grade", " 7", "grade has leading or trailing whitespace"],
      [3, "district_id", "D1 ", "district_id has leading or trailing whitespace"],
      [4, "ela_scaled", "505\t", "ela_scaled has leading or trailing whitespace"],
      [5, "gender", "\u00a0F", "gender has leading or trailing whitespace"],
    ]);
  });

  it("rejects a cell of only spaces instead of reading it as blank", async () => {
    const result = await read(csvFile(`${header}\n${row({ ela_scaled: "   ", student_id: " " })}\n`));
    expect(result.rejects.map((r) => [r.column, r.value, r.reason])).toEqual([
      ["student_id", " ", "student_id is only whitespace (leave it empty for a blank)"],
      ["ela_scaled", "   ", "ela_scaled is only whitespace (leave it empty for a blank)"],
    ]);
  });

  it("treats a quoted empty cell as blank", async () => {
    const result = await read(csvFile(`${header}\n${row({ ela_scaled: '""', iss_count: '""' })}\n`));
    expect(result.rejects).toEqual([]);
    expect(result.rows[0].ela_scaled).toBeUndefined();
    expect(result.rows[0].iss_count).toBe(0);
  });
});

describe("readHistory: CSV shape", () => {
  it("strips a UTF-8 BOM", async () => {
    const result = await read(csvFile(`\ufeff${header}\r\n${row()}\r\n`));
    expect(result).toMatchObject({ accepted: 1, warnings: [] });
  });

  it("accepts CRLF, LF and both mixed, numbering physical lines", async () => {
    for (const eol of ["\n", "\r\n"]) {
      const result = await read(csvFile([header, row({ student_id: "A" }), row({ student_id: "B", gender: "X" }), ""].join(eol)));
      expect(result.rows.map((r) => r.student_id)).toEqual(["A"]);
      expect(result.rejects).toMatchObject([{ line: 3, column: "gender", record: row({ student_id: "B", gender: "X" }) }]);
    }
    const mixed = await read(csvFile(`${header}\r\n${row({ student_id: "A" })}\n${row({ student_id: "B" })}\r\n${row({ student_id: "C", grade: "X" })}\n`));
    expect(mixed.rows.map((r) => r.student_id)).toEqual(["A", "B"]);
    expect(mixed.rejects).toMatchObject([{ line: 4, column: "grade", value: "X" }]);
  });

  it("unquotes fields, and counts lines inside a quoted field (CRLF too)", async () => {
    const quoted = row({ student_id: '"A"', district_id: '"D,1"', school_id: '"Sch ""North"""' });
    const multiLine = `${row({ student_id: "B" })},"first\r\nsecond, ""third"""`;
    const bad = `${row({ student_id: "C", gender: "Q" })},"x"`;
    const content = [`${header},note`, `${quoted},`, multiLine, bad, ""].join("\r\n");
    const result = await read(csvFile(content));
    expect(result.rows.map((r) => [r.student_id, r.district_id, r.school_id])).toEqual([
      ["A", "D,1", 'Sch "North"'],
      ["B", "D1", "SCH1"],
    ]);
    expect(result.rejects).toEqual([{ line: 5, column: "gender", value: "Q", reason: "gender must be F, M or N", record: bad }]);
  });

  it("gives a quoted multi-line record its first line and its whole text", async () => {
    const multiLine = `${row({ gender: "Q" })},"one\ntwo\nthree"`;
    const result = await read(csvFile(`${header},note\n${multiLine}\n${row({ student_id: "Z", grade: "0" })},\n`));
    expect(result.rejects.map((r) => [r.line, r.column, r.record])).toEqual([
      [2, "gender", multiLine],
      [5, "grade", `${row({ student_id: "Z", grade: "0" })},`],
    ]);
  });

  it("skips blank lines without losing the line count", async () => {
    const result = await read(csvFile(`${header}\n\n${row({ student_id: "A" })}\r\n\r\n\n${row({ student_id: "B", sped: "x" })}\n\n`));
    expect(result).toMatchObject({ read: 2, accepted: 1 });
    expect(result.rejects).toMatchObject([{ line: 6, column: "sped", record: row({ student_id: "B", sped: "x" }) }]);
  });

  it("rejects a short or long row as a whole, and goes on", async () => {
    const short = row().split(",").slice(0, 10).join(",");
    const long = `${row({ student_id: "L" })},extra`;
    const result = await read(csvFile(`${header}\n${short}\n${row({ student_id: "OK" })}\n${long}\n   \n`));
    expect(result).toMatchObject({ read: 4, accepted: 1, rejected: 3 });
    const width = studentYearColumns.length;
    expect(result.rejects).toEqual([
      { line: 2, column: wholeRowColumn, value: "10", reason: `row has 10 fields but the header has ${width}`, record: short },
      { line: 4, column: wholeRowColumn, value: String(width + 1), reason: `row has ${width + 1} fields but the header has ${width}`, record: long },
      { line: 5, column: wholeRowColumn, value: "1", reason: `row has 1 fields but the header has ${width}`, record: "   " },
    ]);
  });
});

describe("readHistory: header", () => {
  it("ignores extra columns and warns once, naming them", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `${row({ student_id: `S${i}` })},x,y`);
    const result = await read(csvFile(`${header},notes,teacher\n${rows.join("\n")}\n`));
    expect(result.accepted).toBe(5);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/ignoring 2 extra columns: "notes", "teacher"/);
    expect(result.rows[0]).not.toHaveProperty("notes");
  });

  it("takes columns in any order and leaves absent optional columns blank", async () => {
    const columns: Column[] = ["days_present", "grade", "school_id", "district_id", "school_year", "student_id", "days_enrolled"];
    const result = await read(csvFile(`${columns.join(",")}\n${columns.map((c) => base[c]).join(",")}\n`));
    expect(result.rejects).toEqual([]);
    expect(result.rows[0]).toMatchObject({ student_id: "S-001", grade: 7, days_present: 170, iss_count: 0, exit_status: "enrolled" });
    expect(result.rows[0].gender).toBeUndefined();
    expect(result.rows[0].ela_scaled).toBeUndefined();
  });

  it("refuses a file missing required columns, naming the file and every one", async () => {
    const columns = studentYearColumns.filter((c) => c !== "grade" && c !== "days_present");
    const file = csvFile(`${columns.join(",")}\n`);
    const error = await readError(file);
    expect(error.code).toBe("missing_column");
    expect(error.message).toContain(file);
    expect(error.message).toContain("missing required columns grade, days_present");
    expect(error.context).toMatchObject({ file, line: 1 });
  });

  it("says when a missing column is there with other case or spaces", async () => {
    const error = await readError(csvFile(`${header.replace("school_year", " School_Year")}\n${row()}\n`));
    expect(error.code).toBe("missing_column");
    expect(error.message).toContain('missing required column school_year (column names are exact; found " School_Year")');
  });

  it("refuses a header that names a column twice", async () => {
    const file = csvFile(`${header},grade,note,note\n`);
    const error = await readError(file);
    expect(error.code).toBe("invalid_file");
    expect(error.message).toBe(`${file}: the header names a column more than once: "grade", "note"`);
  });
});

describe("readHistory: files that are not UTF-8 CSV", () => {
  it("refuses bytes that are not UTF-8, with the byte and line", async () => {
    const before = Buffer.from(`${header}\n${row()}\n`);
    // "Dépt" saved as Latin-1: é is the single byte 0xE9.
    const file = csvFile(Buffer.concat([before, Buffer.from("S-002,2024,D"), Buffer.from([0xe9]), Buffer.from("pt,SCH1\n")]));
    const error = await readError(file);
    expect(error.code).toBe("invalid_file");
    expect(error.message).toContain(`${file} is not UTF-8`);
    expect(error.message).toContain(`near byte ${before.length + "S-002,2024,D".length}, line 3`);
    expect(error.context).toMatchObject({ file, line: 3 });
  });

  it("refuses a file that ends inside a multi-byte character", async () => {
    const error = await readError(csvFile(Buffer.concat([Buffer.from(`${header}\n${row()},`), Buffer.from([0xe2, 0x82])])));
    expect(error.message).toMatch(/is not UTF-8 \(the file ends inside a multi-byte character/);
  });

  it("reads a character split across two read chunks", async () => {
    const head = `${header},note\n`;
    const line = `${row()},`;
    const chunk = 1 << 20;
    const filler: string[] = [];
    let size = Buffer.byteLength(head);
    for (let i = 0; size + 2 * (line.length + 1) < chunk; i++) {
      filler.push(`${row({ student_id: `F${i}` })},`);
      size += filler[filler.length - 1].length + 1;
    }
    // The last filler row's note pads so that a 3-byte "€" starts one byte before the boundary.
    const pad = chunk - 1 - size - line.length;
    const content = `${head}${filler.join("\n")}\n${line}${"x".repeat(pad)}€\n`;
    const bytes = Buffer.from(content);
    expect(bytes.subarray(chunk - 1, chunk + 2).toString()).toBe("€");
    const result = await read(csvFile(bytes));
    expect(result).toMatchObject({ rejected: 0, accepted: filler.length + 1 });
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("refuses a binary file", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect((await readError(csvFile(png))).message).toMatch(/is not UTF-8/);
    const nul = csvFile(Buffer.concat([Buffer.from(`${header}\n`), Buffer.alloc(16)]));
    const error = await readError(nul);
    expect(error.code).toBe("invalid_file");
    expect(error.message).toBe(`${nul} is not a CSV text file (NUL byte at byte ${header.length + 1}, line 2)`);
  });

  it("refuses broken quoting, naming the file and line", async () => {
    const unclosed = csvFile(`${header}\n${row({ student_id: "A" })}\n${row({ school_id: '"SCH1' })}\n${row()}\n${row()}\n`);
    const error = await readError(unclosed);
    expect(error.code).toBe("invalid_file");
    expect(error.message).toMatch(new RegExp(`^${unclosed} is not a valid CSV file: Quote Not Closed.*; the unfinished record starts at line 3 \\(an unclosed quote\\?\\)$`));
    expect(error.context).toMatchObject({ file: unclosed, line: 3 });
    const stray = csvFile(`${header}\n${row()}\n${row({ school_id: '"SCH1"x' })}\n`);
    const strayError = await readError(stray);
    expect(strayError.code).toBe("invalid_file");
    expect(strayError.message).toContain("line 3");
    expect(strayError.context).toMatchObject({ file: stray, line: 3 });
  });

  it("stops at a runaway quoted field instead of reading the rest of the file into it", async () => {
    const rest = Array.from({ length: 15_000 }, (_, i) => row({ student_id: `R${i}` })).join("\n");
    const file = csvFile(`${header}\n${row()}\n${row({ student_id: "Q", school_id: '"SCH1' })}\n${rest}\n`);
    const error = await readError(file);
    expect(error.code).toBe("invalid_file");
    expect(error.message).toContain("Max Record Size");
    expect(error.context).toMatchObject({ file, line: 3 });
  });

  it("refuses an empty file, a BOM alone and blank lines alone", async () => {
    for (const content of ["", "\ufeff", "\n\r\n\n"]) {
      const file = csvFile(content);
      const error = await readError(file);
      expect(error.code).toBe("invalid_file");
      expect(error.message).toBe(`${file} is empty: no header row`);
    }
  });

  it("refuses a file it cannot open", async () => {
    const error = await readError(join(dir, "nope.csv"));
    expect(error.code).toBe("invalid_file");
    expect(error.message).toMatch(/nope\.csv cannot be read: ENOENT/);
  });

  /** Runs chunks through the check as separate writes; resolves to the bytes passed on and the digest. */
  async function check(chunks: Buffer[]): Promise<{ out: Buffer; sha256: string }> {
    const stream = new Utf8CheckStream("t.csv");
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        parts.push(chunk);
        done();
      },
    });
    await pipeline(Readable.from(chunks, { objectMode: false }), stream, sink);
    return { out: Buffer.concat(parts), sha256: stream.digest() };
  }

  it("passes the bytes on unchanged when a character is split between chunks", async () => {
    const euro = Buffer.from("€"); // e2 82 ac
    const chunks = [Buffer.from("a,b\n1,"), euro.subarray(0, 1), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), Buffer.from("\n")])];
    const { out, sha256 } = await check(chunks);
    expect(out.toString()).toBe("a,b\n1,€\n");
    expect(sha256).toBe(createHash("sha256").update(out).digest("hex"));
  });

  it("counts bytes and lines across chunks to place a bad byte", async () => {
    const error = await check([Buffer.from("a,b\n1,2\n"), Buffer.from("3,"), Buffer.from([0x34, 0xff, 0x0a])]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EwisError);
    expect((error as EwisError).message).toBe("t.csv is not UTF-8 (invalid byte sequence near byte 11, line 3); save it as UTF-8 CSV");
  });

  it("finds the first byte that breaks UTF-8", () => {
    expect(firstInvalidUtf8(Buffer.from("abc€é"))).toBe(8);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x41]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x82, 0xac, 0x61, 0xff]))).toBe(3); // leading continuation bytes end a char begun earlier
  });
});

describe("readHistory: (student_id, school_year) is unique", () => {
  it("rejects every row of a duplicate, each naming the other lines", async () => {
    const first = row({ student_id: "D", school_year: "2023" });
    const other = row({ student_id: "D", school_year: "2024" });
    const second = row({ student_id: "D", school_year: "2023", grade: "8" });
    const third = row({ student_id: "D", school_year: "2023", ela_scaled: "1" });
    const garbled = row({ student_id: "D!", school_year: "2023" });
    const pair = [row({ student_id: "P" }), row({ student_id: "P", days_present: "3" })];
    const content = [header, first, other, second, third, garbled, pair[0], `${pair[1]}`, row({ student_id: "D", school_year: "2022" })].join("\n");
    const result = await read(csvFile(content));
    expect(result).toMatchObject({ read: 8, accepted: 2, rejected: 6 });
    expect(result.rows.map((r) => [r.student_id, r.school_year])).toEqual([
      ["D", 2024],
      ["D", 2022],
    ]);
    const duplicates = result.rejects.filter((r) => r.column === duplicateKeyColumn);
    expect(duplicates).toEqual([
      { line: 2, column: duplicateKeyColumn, value: "D,2023", reason: "duplicate of lines 4, 5 (same student_id and school_year)", record: first },
      { line: 4, column: duplicateKeyColumn, value: "D,2023", reason: "duplicate of lines 2, 5 (same student_id and school_year)", record: second },
      { line: 5, column: duplicateKeyColumn, value: "D,2023", reason: "duplicate of lines 2, 4 (same student_id and school_year)", record: third },
      { line: 7, column: duplicateKeyColumn, value: "P,2024", reason: "duplicate of line 8 (same student_id and school_year)", record: pair[0] },
      { line: 8, column: duplicateKeyColumn, value: "P,2024", reason: "duplicate of line 7 (same student_id and school_year)", record: pair[1] },
    ]);
    // The other problems stay, in line order; a garbled student_id is not anyone's duplicate.
    expect(result.rejects.map((r) => [r.line, r.column])).toEqual([
      [2, duplicateKeyColumn],
      [4, duplicateKeyColumn],
      [5, "ela_scaled"],
      [5, duplicateKeyColumn],
      [6, "student_id"],
      [7, duplicateKeyColumn],
      [8, duplicateKeyColumn],
    ]);
  });

  it("compares school years as numbers", async () => {
    const result = await read(csvFile(`${header}\n${row()}\n${row({ school_year: "02024" })}\n`));
    expect(result).toMatchObject({ accepted: 0, rejected: 2 });
    expect(result.rejects.map((r) => r.reason)).toEqual([
      "duplicate of line 3 (same student_id and school_year)",
      "duplicate of line 2 (same student_id and school_year)",
    ]);
  });
});

describe("writeRejects", () => {
  it("writes a CSV that parses back to the same rejects", async () => {
    const nasty = `${row({ gender: "Q" })},"a ""quoted"", note\r\nover two lines"`;
    const result = await read(csvFile(`${header},note\n${nasty}\n${row({ student_id: " S" })},=1+1\n${row({ student_id: "x" }).slice(0, 20)}\n`));
    expect(result.rejects).toHaveLength(3);
    const out = join(dir, "rejects.csv");
    await writeRejects(out, result.rejects);
    const text = readFileSync(out, "utf8");
    expect(text.startsWith("line,column,value,reason,record\n")).toBe(true);
    const records = parse(text, { columns: true }) as Record<string, string>[];
    const back: Reject[] = records.map((r) => ({ line: Number(r.line), column: r.column, value: r.value, reason: r.reason, record: r.record }));
    expect(back).toEqual(result.rejects);
    expect(back[0].record).toBe(nasty);
  });

  it("writes a rejected value or record that a spreadsheet would run as a formula as text, and keeps it whole", async () => {
    const attack = "=cmd|' /C calc'!A0";
    const result = await read(csvFile(`${header}\n${row({ district_id: attack, days_present: "-1" })}\n${row({ school_id: "@SUM(1+1)" }).replace(/^/, "+")}\n`));
    const out = join(dir, "formula-rejects.csv");
    await writeRejects(out, result.rejects);
    const records = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    const values = records.map((r) => r.value);
    expect(values).toEqual(["-1", "'+S-001"]); // a plain number is data, not a formula
    expect(records[1].record.startsWith("'+S-001,")).toBe(true);
    expect(records[0].record).toContain(attack); // inside the record, not at its start: harmless
    for (const r of records) for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d+$)/);
    // Nothing is lost: without the apostrophe each cell is what was read.
    const unquote = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
    expect(records.map((r) => unquote(r.record))).toEqual(result.rejects.map((r) => r.record));
  });

  it("writes the header alone when there is nothing to reject", async () => {
    const out = join(dir, "no-rejects.csv");
    await writeRejects(out, []);
    expect(readFileSync(out, "utf8")).toBe("line,column,value,reason,record\n");
  });
});

describe("readHistory: parallel ranges", () => {
  /** 400 rows with problems on both sides of the middle, CRLF endings and a key repeated across the cut. */
  function mixedFile(quotedNewlineAt?: number): string {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const over: Partial<Record<Column, string>> = { student_id: `S${i % 150}`, school_year: String(2010 + Math.floor(i / 150)) };
      if (i % 37 === 5) over.grade = "13";
      if (i % 53 === 7) over.days_present = "181";
      if (i === 10 || i === 390) Object.assign(over, { student_id: "DUP", school_year: "2020" });
      if (i === quotedNewlineAt) over.district_id = `"D${"x".repeat(200)}\n1"`;
      lines.push(row(over));
    }
    return csvFile(`${header}\r\n${lines.join("\r\n")}\r\n`);
  }

  it("reads in two ranges and says exactly what one thread says", async () => {
    const file = mixedFile();
    const parallel = await readHistory(file, { readers: 2 });
    expect(parallel.readers).toBe(2);
    const result = await read(file);
    expect(result.rejects.filter((r) => r.column === duplicateKeyColumn).map((r) => r.line)).toEqual([12, 392]);
    expect(result.rejects.some((r) => r.line > 200 && r.column === "grade")).toBe(true);
    expect(result.table.studentCount).toBe(150);
  });

  it("goes back to one thread when a cut falls inside a quoted field", async () => {
    // Move a quoted field with line breaks until the first LF after the middle is inside it.
    let file = "";
    for (let at = 150; at < 250 && file === ""; at++) {
      const candidate = mixedFile(at);
      const text = readFileSync(candidate, "latin1");
      const middle = Math.floor(text.length / 2);
      const quote = text.indexOf('"D');
      if (quote < middle && text.indexOf("\n", quote) >= middle) file = candidate;
    }
    expect(file).not.toBe("");
    const parallel = await readHistory(file, { readers: 2 });
    expect(parallel.readers).toBe(1);
    const result = await read(file);
    expect(result.rejects.some((r) => r.column === "district_id" && r.value.startsWith("Dxxx"))).toBe(true);
  });
});

describe("readHistory: the quote-free fast path", () => {
  it("reads a state's history with its rejects exactly as csv-parse does", async () => {
    // The fixture has no quote, so it takes the fast path; quoting one id (the same value once
    // parsed) sends the whole file through csv-parse. Broken rows, blank lines and CRLF added so
    // the rejects and their lines are compared too.
    const fixture = readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "state-small.csv"), "utf8");
    expect(fixture).not.toContain('"');
    const lines = fixture.split("\n");
    lines.splice(40, 0, "", "S-broken,20x6,D1,S1");
    lines[120] = `${lines[120]}\r`;
    lines[300] = lines[300].replace(/^[^,]+/, (id) => `${id},extra`);
    const plain = lines.join("\n");
    const quotedAt = plain.indexOf("\n", plain.length - 200) + 1;
    const quoted = `${plain.slice(0, quotedAt)}"${plain.slice(quotedAt).replace(",", '",')}`;
    expect(quoted.split('"')).toHaveLength(3);
    const fast = await read(csvFile(plain));
    const slow = await read(csvFile(quoted));
    expect(fast.rejected).toBeGreaterThanOrEqual(2);
    expect(fast.accepted).toBeGreaterThan(15_000);
    expect({ ...fast, sha256: "" }).toEqual({ ...slow, sha256: "" });
  });
});
