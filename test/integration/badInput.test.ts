import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import {
  appendPlainRow,
  EwisError,
  exitStatuses,
  gradeLabel,
  HistoryChunkBuilder,
  HistoryTable,
  raceEthnicityCodes,
  requiredColumns,
  studentYearColumns,
  studentYearSchema,
  type StudentYear,
} from "../../src/core/index.ts";
import { duplicateKeyColumn, readHistory, wholeRowColumn, type HistoryReadResult } from "../../src/io/readHistory.ts";
import { soak } from "../support/soak.ts";
import { sampleCells } from "../support/studentRows.ts";

/**
 * Issue 7, bad input: the corpus of broken histories in fixtures/broken (what each must give is
 * in its cases.json), then a fast-check fuzzer over rows. For every input: nothing but an
 * EwisError is thrown; a refused file is named with its line and column (and the value where
 * there is one); a read file names every rejected row by line, column and value, and
 * read = accepted + rejected; a formula in an id is written as text in every CSV that carries it.
 */

type Column = (typeof studentYearColumns)[number];

const root = join(import.meta.dirname, "..", "..");
const corpus = join(root, "fixtures", "broken");
const work = mkdtempSync(join(tmpdir(), "ewis-bad-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const header = studentYearColumns.join(",");
const quiet = () => {};
/** A cell a spreadsheet would run as a formula (a plain number such as -1 is data). */
const formulaStart = /^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/;
/** The product writes such a cell with a leading apostrophe; this takes it off again. */
const unneutralise = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

// ---------------------------------------------------------------------------------------------
// The corpus

interface ExpectedReject {
  line: number;
  column: string;
  value: string;
  reason: string;
}
interface ExpectedError {
  code: string;
  line: number;
  column: string;
  value?: string;
  message: string[];
}
interface ExpectedRead {
  read: number;
  accepted: number;
  rejected: number;
  rejects: ExpectedReject[];
  warnings?: string[];
}
interface Case {
  file: string;
  covers: string;
  broken: string;
  generated?: { bytes: number };
  formulas?: { rejected: string[]; accepted: string[] };
  expect: { error: ExpectedError } | ExpectedRead;
}

const cases = (JSON.parse(readFileSync(join(corpus, "cases.json"), "utf8")) as { cases: Case[] }).cases;
const refusedCases = cases.filter((c) => "error" in c.expect);
const readCases = cases.filter((c) => !("error" in c.expect));
const refusal = (c: Case) => (c.expect as { error: ExpectedError }).error;
const reading = (c: Case) => c.expect as ExpectedRead;
/** A stored case is read where it is; a generated one (the 10 MB field) is written to the temp dir. */
const pathOf = (c: Case) => (c.generated ? join(work, c.file) : join(corpus, c.file));

beforeAll(() => {
  for (const c of cases.filter((c) => c.generated)) {
    const row = (id: string) => studentYearColumns.map((col) => (col === "student_id" ? id : sampleCells[col])).join(",");
    const huge = `"${"x".repeat(c.generated!.bytes)}"`;
    writeFileSync(pathOf(c), `${header},notes\n${row("HF-1")},ok\n${row("HF-2")},${huge}\n${row("HF-3")},\n`);
  }
});

/** The EwisError a read throws; anything else thrown fails the test. */
async function refused(file: string, readers: number): Promise<EwisError> {
  try {
    await readHistory(file, { readers });
  } catch (error) {
    if (error instanceof EwisError) return error;
    throw error;
  }
  throw new Error(`expected ${file} to be refused`);
}

function countLf(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** The file's text from the start of physical line `line` (1-based). */
function fromLine(text: string, line: number): string {
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf("\n", at) + 1;
  return text.slice(at);
}

const rejectColumns = new Set<string>([...studentYearColumns, wholeRowColumn, duplicateKeyColumn]);

/** What every read must keep, whatever the input: counts add up and each reject names its row. */
function expectConsistent(result: HistoryReadResult, text: string): void {
  expect(result.read).toBe(result.accepted + result.rejected);
  expect(result.table.rowCount).toBe(result.accepted);
  expect(new Set(result.rejects.map((r) => r.line)).size).toBe(result.rejected);
  const lines = countLf(text) + 1;
  for (const r of result.rejects) {
    expect(r.line).toBeGreaterThanOrEqual(2);
    expect(r.line).toBeLessThanOrEqual(lines);
    expect(rejectColumns.has(r.column), r.column).toBe(true);
    if (studentYearColumns.includes(r.column as Column)) expect(r.reason.startsWith(`${r.column} `), r.reason).toBe(true);
    expect(fromLine(text, r.line).startsWith(r.record), `line ${r.line} holds ${JSON.stringify(r.record)}`).toBe(true);
  }
}

const summary = (result: HistoryReadResult) => ({
  read: result.read,
  accepted: result.accepted,
  rejected: result.rejected,
  rejects: result.rejects.map(({ line, column, value, reason }) => ({ line, column, value, reason })),
});

describe("the broken-history corpus (fixtures/broken)", () => {
  it("holds one file per case, and covers every kind of bad input issue 7 lists", () => {
    const stored = readdirSync(corpus).filter((f) => f.endsWith(".csv"));
    expect(cases.filter((c) => !c.generated).map((c) => c.file).sort()).toEqual(stored.sort());
    const bullets = [
      "wrong delimiter", "missing header", "BOM", "CRLF", "quoted newlines", "unterminated quotes", "non-UTF-8 bytes", "a 10 MB field",
      "wrong types in every column", "out-of-range values", "duplicate keys", "days_present greater than days_enrolled", "future years",
      "formula-injection strings in IDs",
    ];
    const covered = new Set(cases.map((c) => c.covers));
    expect(bullets.filter((b) => !covered.has(b))).toEqual([]);
    // One bad row per column of the contract.
    const wrongTypes = reading(cases.find((c) => c.covers === "wrong types in every column")!);
    expect(wrongTypes.rejects.map((r) => r.column)).toEqual(studentYearColumns);
    expect(cases.find((c) => c.generated)!.generated!.bytes).toBeGreaterThanOrEqual(10 << 20);
  });

  it.each(refusedCases)("$file is refused, naming file, line and column", async (c) => {
    const file = pathOf(c);
    const expected = refusal(c);
    const error = await refused(file, 1);
    expect(error.code).toBe(expected.code);
    expect(error.context).toMatchObject({ file, line: expected.line, column: expected.column });
    expect(error.context.value).toBe(expected.value);
    expect(error.message).toContain(file);
    for (const part of expected.message) expect(error.message).toContain(part);
  });

  it.each(readCases)("$file is read, naming each rejected row by line, column and value", async (c) => {
    const file = pathOf(c);
    const expected = reading(c);
    const result = await readHistory(file, { readers: 1 });
    expect(summary(result)).toEqual({ read: expected.read, accepted: expected.accepted, rejected: expected.rejected, rejects: expected.rejects });
    if (expected.warnings) expect(result.warnings).toEqual(expected.warnings);
    expectConsistent(result, readFileSync(file, "utf8"));
  });

  it("refuses each file the same way when read in parallel ranges", async () => {
    for (const c of refusedCases) {
      const one = await refused(pathOf(c), 1);
      const parallel = await refused(pathOf(c), 2);
      expect({ code: parallel.code, message: parallel.message, context: parallel.context }, c.file).toEqual({ code: one.code, message: one.message, context: one.context });
    }
  });

  it("reads the rows of every readable case the same in one thread and in parallel ranges", async () => {
    // Starting reader threads costs about half a second a read, so the cases share one file: a
    // BOM and CRLF header, then each case's rows in turn, lines moved on by the rows before.
    let merged = `\ufeff${header}\r\n`;
    let line = 2;
    const expected: ReturnType<typeof summary> = { read: 0, accepted: 0, rejected: 0, rejects: [] };
    for (const c of readCases) {
      const text = readFileSync(pathOf(c), "utf8");
      const firstLf = text.indexOf("\n");
      expect(text.slice(0, firstLf).replace(/^\ufeff/, "").replace(/\r$/, ""), c.file).toBe(header);
      const body = text.slice(firstLf + 1);
      const shift = line - 2;
      const e = reading(c);
      expected.read += e.read;
      expected.accepted += e.accepted;
      expected.rejected += e.rejected;
      for (const r of e.rejects) {
        const reason = r.column === duplicateKeyColumn ? r.reason.replace(/\d+/g, (n) => String(Number(n) + shift)) : r.reason;
        expected.rejects.push({ ...r, line: r.line + shift, reason });
      }
      merged += body;
      line += countLf(body);
    }
    const file = join(work, "merged-cases.csv");
    writeFileSync(file, merged);
    const one = await readHistory(file, { readers: 1 });
    expect(summary(one)).toEqual(expected);
    expectConsistent(one, merged);
    const rows = one.table.rows();
    for (const readers of [2, 3]) {
      const parallel = await readHistory(file, { readers });
      expect(parallel.readers).toBe(readers);
      expect({ ...parallel, table: parallel.table.rows(), readers: 0 }).toEqual({ ...one, table: rows, readers: 0 });
    }
  });
});

describe("the corpus through `ewis check`", () => {
  /** Runs `ewis check` in-process; what it logs, and what it printed as an error. */
  async function check(c: Case) {
    const rejects = join(work, `${c.file}.rejects.csv`);
    const logs: string[] = [];
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const code = await main(["node", "ewis", "check", "--history", pathOf(c), "--rejects", rejects], (line) => logs.push(line));
      return { code, logs, errors: errors.mock.calls.map((args) => args.join(" ")), rejects };
    } finally {
      errors.mockRestore();
    }
  }

  it.each(refusedCases)("$file: exit 1 and one line naming file, line and column", async (c) => {
    const e = refusal(c);
    const run = await check(c);
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(`ewis: ${pathOf(c)}, line ${e.line}, column ${e.column}: `);
    if (e.value !== undefined) expect(run.errors[0]).toContain(`(value ${JSON.stringify(e.value)})`);
  });

  it.each(readCases)("$file: exit 0, counts said, every reject in the rejects file and no cell a formula", async (c) => {
    const e = reading(c);
    const run = await check(c);
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.logs).toContain(`${pathOf(c)}: ${e.read} rows read, ${e.accepted} accepted, ${e.rejected} rejected`);
    if (e.rejects.length > 0) expect(run.logs.some((l) => l.includes(run.rejects))).toBe(true);
    const records = parse(readFileSync(run.rejects, "utf8"), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => ({ line: Number(r.line), column: r.column, value: unneutralise(r.value), reason: r.reason }))).toEqual(e.rejects);
    for (const r of records) for (const cell of Object.values(r)) expect(cell).not.toMatch(formulaStart);
  });

  it("writes formula ids as text in the rejects file and in the scores `ewis score` exports", async () => {
    const c = cases.find((c) => c.formulas)!;
    const out = join(work, "formula-scores.csv");
    const args = ["score", "--history", pathOf(c), "--year", "2024", "--models", join(root, "models"), "--out", out];
    expect(await main(["node", "ewis", ...args], quiet)).toBe(0);
    const scores = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    const rejects = parse(readFileSync(`${out}.rejects.csv`, "utf8"), { columns: true }) as Record<string, string>[];
    expect(scores.length).toBeGreaterThan(0);
    for (const r of [...scores, ...rejects]) for (const cell of Object.values(r)) expect(cell).not.toMatch(formulaStart);
    // Each formula is in the file that carries it, as text: an apostrophe, then the cell as read.
    const scoreCells = new Set(scores.flatMap((r) => [r.student_id, r.district_id, r.school_id]));
    for (const formula of c.formulas!.accepted) expect(scoreCells, formula).toContain(`'${formula}`);
    const rejectValues = new Set(rejects.map((r) => r.value));
    for (const formula of c.formulas!.rejected) expect(rejectValues, formula).toContain(`'${formula}`);
    expect(rejects.filter((r) => r.column === "student_id").every((r) => r.record.startsWith("'"))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The fuzzer

/** Fixed so that the suite is the same on every run; `npm run soak` runs the same seed far longer. */
const SEED = 20_260_707;
const RUNS = soak ? 20_000 : 400;
const RAW_RUNS = soak ? 20_000 : 300;
const PARALLEL_ROWS = soak ? 30_000 : 2000;
const FUZZ_TIMEOUT = soak ? 3_600_000 : 60_000;

/** A character that shows as nothing (the contract's cells are not trimmed; such an edge is rejected). */
const edgeSpace = /^[\p{White_Space}\p{Cc}\p{Cf}]|[\p{White_Space}\p{Cc}\p{Cf}]$/u;
const optionalColumns = studentYearColumns.filter((c) => !(requiredColumns as readonly string[]).includes(c));

const code = (values: readonly string[]) => fc.constantFrom(...values);
const orBlank = (a: fc.Arbitrary<string>) => fc.oneof(fc.constant(""), a);
const flag = orBlank(code(["0", "1"]));
const count = orBlank(fc.nat(40).map(String));
const placeId = fc
  .oneof(code(["D1", "D-2", "SCH1", "\u00d8stfold", "\u6771\u4eac\u90fd", 'Sch "North"', "a,b", "North\nCampus", "=1+1", "-1+2", "@A1"]), fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }))
  .filter((s) => s.length <= 32 && !edgeSpace.test(s) && !s.includes("\0"));

/** A row the contract accepts, as cells in contract order. */
const validRow: fc.Arbitrary<string[]> = fc
  .record({
    student_id: fc.oneof({ weight: 1, arbitrary: code(["S1", "S2", "S-3"]) }, { weight: 9, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/) }),
    school_year: fc.oneof(code(["2023", "2024"]), fc.integer({ min: 1990, max: 2100 }).map(String)),
    district_id: placeId,
    school_id: placeId,
    grade: code(["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
    birth_date: orBlank(fc.date({ min: new Date("1985-01-01T00:00:00Z"), max: new Date("2025-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
    gender: orBlank(code(["F", "M", "N"])),
    race_ethnicity: orBlank(code(raceEthnicityCodes)),
    low_income: flag,
    ell: flag,
    former_ell: flag,
    sped: flag,
    homeless: flag,
    foster_care: flag,
    days: fc.tuple(fc.integer({ min: 0, max: 366 }), fc.integer({ min: 0, max: 366 })),
    iss_count: count,
    oss_count: count,
    school_moves: count,
    ela_scaled: orBlank(fc.integer({ min: 440, max: 560 }).map(String)),
    math_scaled: orBlank(fc.integer({ min: 440, max: 560 }).map(String)),
    courses: fc.option(fc.tuple(fc.nat(12), fc.nat(12), fc.boolean())),
    exit_status: orBlank(code(exitStatuses)),
    // A college outcome is 1 only for a graduate who enrolled or whose enrolment is unknown.
    postsecondary: fc.oneof(
      fc.tuple(fc.constant("0"), orBlank(code(["0"])), orBlank(code(["0"]))),
      fc.tuple(orBlank(code(["1"])), flag, flag),
    ),
  })
  .map(({ days, courses, postsecondary, ...r }) => {
    const cells: Record<string, string> = {
      ...r,
      postsecondary_enrolled: postsecondary[0],
      postsecondary_remedial: postsecondary[1],
      postsecondary_persisted: postsecondary[2],
      days_enrolled: String(Math.max(...days)),
      days_present: String(Math.min(...days)),
      courses_attempted: courses ? String(Math.max(courses[0], courses[1])) : "",
      courses_failed: courses && courses[2] ? String(Math.min(courses[0], courses[1])) : "",
    };
    return studentYearColumns.map((c) => cells[c]);
  });

/** The college outcomes that may not be 1 when `postsecondary_enrolled` is 0. */
const collegeOutcomes = ["postsecondary_remedial", "postsecondary_persisted"] as const;
const notEnrolledMessage = "is 1 but postsecondary_enrolled is 0";

/** Cells at and past every edge the contract draws, numbers a spreadsheet makes, CSV's own characters, formulas. */
const edgeValues = [
  "", " ", "0", "-0", "00", "01", "-1", "+1", "1.0", "1e3", "0x10", "366", "367", "439", "440", "560", "561", "1989", "1990", "2100", "2101",
  "02024", "20240", "K", "k", "13", "NaN", "Infinity", "-Infinity", "1e400", "9007199254740991", "9007199254740992", "99999999999999999999",
  "enrolled", "Graduated", "F", "X", "2011-02-29", "2012-02-29", "2011-4-02", '"', '""', ",", "a,b", "\n", "\r\n", "\r", "x\ny", "x\r\ny",
  "=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2-3", "\t=1", "\u00a0", "\u3000", "\u200b", "\ufeff", "\u2028", "\ud800", "\u0000", "a\u0000b",
  "S".repeat(33), "\u00e9", "\u{1F600}",
];
const padding = code([" ", "\t", "\u00a0", "\u3000", "\u200b", "\ufeff", "\n", "\r\n", "\r", "\u0085", "\u2028"]);
const mutant: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: code(edgeValues) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n })).map(String) },
  { weight: 1, arbitrary: fc.tuple(code(["=", "+", "-", "@", "\t", "\r"]), fc.string({ maxLength: 20 })).map(([p, s]) => p + s) },
  { weight: 2, arbitrary: fc.tuple(padding, code(["7", "2024", "D1", "F", "505", "0"]), fc.boolean()).map(([pad, v, after]) => (after ? v + pad : pad + v)) },
);

interface FuzzRow {
  /** Contract cells then the extra `note` cell, before the header picks which are written. */
  cells: string[];
  eol: "\n" | "\r\n";
  blankLinesBefore: number;
  /** Quote every cell, not only those that need it. */
  quoted: boolean;
}
interface FuzzFile {
  bom: boolean;
  header: string[];
  rows: FuzzRow[];
  finalEol: boolean;
}

/** A UTF-16 string as it comes back from UTF-8 (a lone surrogate is written as U+FFFD). */
const asWritten = (cell: string) => Buffer.from(cell, "utf8").toString("utf8");

const fuzzRow: fc.Arbitrary<FuzzRow> = fc
  .record({
    row: validRow,
    note: fc.oneof(fc.constant(""), mutant),
    // Now and then a graduate who never enrolled but has a college outcome of 1, before any mutation.
    contradiction: fc.oneof({ weight: 12, arbitrary: fc.constant<Column[]>([]) }, { weight: 1, arbitrary: fc.subarray<Column>([...collegeOutcomes], { minLength: 1 }) }),
    mutations: fc.array(fc.tuple(fc.nat(studentYearColumns.length - 1), mutant), { maxLength: 3 }),
    eol: fc.constantFrom<FuzzRow["eol"][]>("\n", "\r\n"),
    blankLinesBefore: fc.constantFrom(0, 0, 0, 0, 1, 2),
    quoted: fc.constantFrom(false, false, false, false, true),
  })
  .map(({ row, note, contradiction, mutations, eol, blankLinesBefore, quoted }) => {
    const cells = [...row, note];
    if (contradiction.length > 0) cells[studentYearColumns.indexOf("postsecondary_enrolled")] = "0";
    for (const name of contradiction) cells[studentYearColumns.indexOf(name)] = "1";
    for (const [at, value] of mutations) cells[at] = value;
    return { cells: cells.map(asWritten), eol, blankLinesBefore, quoted };
  });

const fuzzHeader: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string[]>([...studentYearColumns]) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.subarray(optionalColumns), fc.boolean())
      .chain(([optional, note]) => {
        const names = [...requiredColumns, ...optional, ...(note ? ["note"] : [])];
        return fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length });
      }),
  },
);

const fuzzFile: fc.Arbitrary<FuzzFile> = fc.record({
  bom: fc.boolean(),
  header: fuzzHeader,
  rows: fc.array(fuzzRow, { minLength: 1, maxLength: 8 }),
  finalEol: fc.constantFrom(true, true, true, false),
});

const noteIndex = studentYearColumns.length;
const cellOf = (row: FuzzRow, name: string) => row.cells[name === "note" ? noteIndex : studentYearColumns.indexOf(name as Column)];

function csvCell(cell: string, quoted: boolean): string {
  return quoted || /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The row's CSV text as written (no line ending). */
const rowText = (file: FuzzFile, row: FuzzRow) => file.header.map((name) => csvCell(cellOf(row, name), row.quoted)).join(",");

/** The file's text, and the physical line each row starts on. */
function writeFuzzFile(file: FuzzFile): { text: string; lines: number[] } {
  let text = `${file.bom ? "\ufeff" : ""}${file.header.join(",")}\n`;
  let line = 2;
  const lines: number[] = [];
  file.rows.forEach((row, k) => {
    text += row.eol.repeat(row.blankLinesBefore);
    line += row.blankLinesBefore;
    lines.push(line);
    const body = rowText(file, row);
    text += body + (k < file.rows.length - 1 || file.finalEol ? row.eol : "");
    line += countLf(body) + 1;
  });
  return { text, lines };
}

interface RowVerdict {
  /** Contract columns the reader must name, each once. */
  columns: Set<string>;
  valid: boolean;
  /** `id,year` when the row's key cells are valid: it can repeat another row's key. */
  key: string | undefined;
  parsed: StudentYear | undefined;
  /** College outcomes the schema blamed for contradicting `postsecondary_enrolled` = 0. */
  notEnrolled: string[];
}

/**
 * The contract's verdict on one row: the schema, plus no cell with an invisible edge. The rule
 * on college outcomes is also worked out from the cells here, so the schema is held to it: a
 * row whose cells are otherwise valid is blamed in exactly the outcome columns that are 1 while
 * `postsecondary_enrolled` is 0 (the cross-field rules only run once every cell is valid).
 */
function verdict(file: FuzzFile, row: FuzzRow): RowVerdict {
  const input: Record<string, string | undefined> = {};
  const spaced: string[] = [];
  for (const c of studentYearColumns) {
    const cell = file.header.includes(c) ? cellOf(row, c) : "";
    input[c] = cell === "" ? undefined : cell;
    if (cell !== "" && edgeSpace.test(cell)) spaced.push(c);
  }
  const parsed = studentYearSchema.safeParse(input);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0] ?? wholeRowColumn));
  const cellIssues = parsed.success ? [] : parsed.error.issues.filter((i) => i.code !== "custom");
  const notEnrolled = parsed.success ? [] : parsed.error.issues.filter((i) => i.message === notEnrolledMessage).map((i) => String(i.path[0]));
  const contradicted = input.postsecondary_enrolled === "0" ? collegeOutcomes.filter((c) => input[c] === "1") : [];
  if (cellIssues.length === 0) expect(notEnrolled, JSON.stringify(input)).toEqual(contradicted);
  else for (const c of notEnrolled) expect(contradicted).toContain(c);
  const columns = new Set([...spaced, ...issues]);
  const keyIsValid = !columns.has("student_id") && !columns.has("school_year");
  return {
    columns,
    valid: columns.size === 0,
    key: keyIsValid ? `${input.student_id},${Number(input.school_year)}` : undefined,
    parsed: parsed.success ? parsed.data : undefined,
    notEnrolled,
  };
}


const stats = { files: 0, rows: 0, accepted: 0, rejected: 0, refused: 0, fastPath: 0, rawFiles: 0, rawRefused: 0, parallelRows: 0, notEnrolled: 0 };
/** Each kind of fuzzed file has one path, written over run after run. */
function writeTemp(name: string, content: string | Buffer): string {
  const file = join(work, `fuzz-${name}.csv`);
  writeFileSync(file, content);
  return file;
}

/**
 * Reads a fuzzed file and holds the reader to the contract's verdict on every row: the counts,
 * which rows are rejected, and for each the columns named, their values and the row's text;
 * the accepted rows exactly as the schema parses them.
 */
async function expectRead(path: string, file: FuzzFile, readers = 1): Promise<HistoryReadResult | undefined> {
  const { text, lines } = writeFuzzFile(file);
  const nulRow = file.rows.findIndex((row) => file.header.some((name) => cellOf(row, name).includes("\0")));
  if (nulRow >= 0) {
    // The one file-level problem a well-quoted file can have: the first NUL names its line and column.
    const row = file.rows[nulRow];
    const body = rowText(file, row);
    const error = await refused(path, readers);
    expect(error.message).toContain(`${path} is not a CSV text file (NUL byte`);
    expect(error.context).toMatchObject({
      file: path,
      line: lines[nulRow] + countLf(body.slice(0, body.indexOf("\0"))),
      column: file.header.find((name) => cellOf(row, name).includes("\0")),
      value: "0x00",
    });
    return undefined;
  }
  const result = await readHistory(path, { readers });
  expectConsistent(result, text);
  const verdicts = file.rows.map((row) => verdict(file, row));
  const keyCount = new Map<string, number>();
  for (const v of verdicts) if (v.key !== undefined) keyCount.set(v.key, (keyCount.get(v.key) ?? 0) + 1);
  const duplicated = (v: RowVerdict) => v.key !== undefined && keyCount.get(v.key)! > 1;

  const rejectsAt = new Map<number, HistoryReadResult["rejects"]>();
  for (const r of result.rejects) rejectsAt.set(r.line, [...(rejectsAt.get(r.line) ?? []), r]);
  const expectedAccepted: unknown[] = [];
  file.rows.forEach((row, k) => {
    const v = verdicts[k];
    const rejects = rejectsAt.get(lines[k]) ?? [];
    if (v.valid && !duplicated(v)) {
      expect(rejects, `line ${lines[k]}`).toEqual([]);
      expectedAccepted.push(v.parsed);
      return;
    }
    const cellRejects = rejects.filter((r) => r.column !== duplicateKeyColumn);
    expect(new Set(cellRejects.map((r) => r.column)), `line ${lines[k]}`).toEqual(v.columns);
    expect(cellRejects.length).toBe(v.columns.size);
    for (const r of cellRejects) expect(r.value).toBe(file.header.includes(r.column) ? cellOf(row, r.column) : "");
    const dup = rejects.filter((r) => r.column === duplicateKeyColumn);
    expect(dup.map((r) => r.value)).toEqual(duplicated(v) ? [v.key] : []);
    for (const r of rejects) expect(r.record).toBe(rowText(file, row));
    for (const c of v.notEnrolled) expect(cellRejects.find((r) => r.column === c)?.reason).toBe(`${c} ${notEnrolledMessage}`);
    if (v.notEnrolled.length > 0) stats.notEnrolled++;
  });
  expect(result.read).toBe(file.rows.length);
  expect(result.accepted).toBe(expectedAccepted.length);
  expect(result.rejects.every((r) => lines.includes(r.line))).toBe(true);
  // toEqual takes an absent field for an undefined one, but not -0 for 0.
  const byKey = (rows: unknown[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  expect(byKey(result.table.rows())).toEqual(byKey(expectedAccepted));
  return result;
}

/** The fast path takes a row only when the schema takes it, with the same values. */
function expectFastPathAgrees(file: FuzzFile): void {
  const cellIndex = Int32Array.from(studentYearColumns, (c) => file.header.indexOf(c));
  for (const row of file.rows) {
    const builder = new HistoryChunkBuilder();
    if (!appendPlainRow(builder, file.header.map((name) => cellOf(row, name)), cellIndex, 2)) {
      expect(builder.rows).toBe(0);
      continue;
    }
    stats.fastPath++;
    const v = verdict(file, row);
    expect(v.valid, `fast path took ${JSON.stringify(row.cells)}`).toBe(true);
    expect(new HistoryTable(builder.finish()).row(0)).toEqual(v.parsed);
  }
}

/** Accepted rows written back as the contract's CSV read back the same, with nothing rejected. */
async function expectRoundTrip(rows: StudentYear[]): Promise<void> {
  if (rows.length === 0) return;
  const cell = (row: StudentYear, c: Column) => {
    const value = row[c];
    if (value === undefined) return "";
    return csvCell(c === "grade" ? gradeLabel(value as number) : String(value), false);
  };
  const text = `${header}\n${rows.map((row) => studentYearColumns.map((c) => cell(row, c)).join(",")).join("\n")}\n`;
  const again = await readHistory(writeTemp("round-trip", text), { readers: 1 });
  expect(again.rejects).toEqual([]);
  expect(again.table.rows()).toEqual(rows);
}

describe("fuzzing rows (fast-check, fixed seed)", () => {
  afterAll(() => {
    console.log(
      `bad input: ${cases.length} corpus cases; fuzz seed ${SEED}: ${stats.files} files with mutated cells, ${stats.refused} refused (NUL) and ` +
        `${stats.rows} rows read (${stats.accepted} accepted, ${stats.rejected} rejected; the fast path took ${stats.fastPath}); ` +
        `${stats.rawFiles} files with bytes edited (${stats.rawRefused} refused); ${stats.parallelRows} rows read in parallel ranges; ` +
        `${stats.notEnrolled} rows rejected for a college outcome without enrolment`,
    );
  });

  it("the valid-row generator makes rows the contract accepts, college outcomes of 1 only where enrolment is not 0", () => {
    const rows = fc.sample(validRow, { seed: SEED, numRuns: 2000 });
    const at = (name: Column) => studentYearColumns.indexOf(name);
    for (const cells of rows) {
      expect(cells).toHaveLength(studentYearColumns.length);
      const parsed = studentYearSchema.safeParse(Object.fromEntries(studentYearColumns.map((c, i) => [c, cells[i] === "" ? undefined : cells[i]])));
      expect(parsed.success, JSON.stringify(cells)).toBe(true);
      if (cells[at("postsecondary_enrolled")] === "0") for (const c of collegeOutcomes) expect(cells[at(c)]).not.toBe("1");
    }
    // Every value of each college flag is made, and the outcomes with enrolment 0 as well as 1.
    for (const c of ["postsecondary_enrolled", ...collegeOutcomes] as const) expect(new Set(rows.map((cells) => cells[at(c)]))).toEqual(new Set(["", "0", "1"]));
    const notEnrolled = rows.filter((cells) => cells[at("postsecondary_enrolled")] === "0");
    expect(notEnrolled.some((cells) => collegeOutcomes.every((c) => cells[at(c)] === "0"))).toBe(true);
  });

  it("mutated cells: the reader says what the contract says about every row, and accepted rows round-trip", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzFile, async (file) => {
        stats.files++;
        if (file.rows.some((row) => file.header.some((name) => cellOf(row, name).includes("\0")))) stats.refused++;
        expectFastPathAgrees(file);
        const result = await expectRead(writeTemp("cells", writeFuzzFile(file).text), file);
        if (!result) return;
        stats.rows += result.read;
        stats.accepted += result.accepted;
        stats.rejected += result.rejected;
        await expectRoundTrip(result.table.rows());
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(stats.accepted).toBeGreaterThan(100);
    expect(stats.rejected).toBeGreaterThan(100);
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.notEnrolled).toBeGreaterThan(20);
  }, FUZZ_TIMEOUT);

  it("edited bytes (quotes, separators, line breaks, BOM, NUL, broken UTF-8): refused with file, line and column, or read consistently", async () => {
    const inserts = ['"', ",", "\n", "\r", "\r\n", ";", '""', "\ufeff"].map((s) => Buffer.from(s)).concat([0x00, 0xff, 0xc3, 0x80, 0xed].map((b) => Buffer.from([b])));
    const edit = fc.record({ at: fc.nat(), insert: fc.option(fc.constantFrom(...inserts), { freq: 5 }) });
    await fc.assert(
      fc.asyncProperty(fuzzFile, fc.array(edit, { minLength: 1, maxLength: 3 }), async (file, edits) => {
        stats.rawFiles++;
        let bytes = Buffer.from(writeFuzzFile(file).text);
        for (const { at, insert } of edits) {
          const i = at % (bytes.length + 1);
          bytes = Buffer.concat([bytes.subarray(0, i), insert ?? Buffer.alloc(0), bytes.subarray(insert ? i : i + 1)]);
        }
        const path = writeTemp("bytes", bytes);
        let result: HistoryReadResult;
        try {
          result = await readHistory(path, { readers: 1 });
        } catch (error) {
          if (!(error instanceof EwisError)) throw error;
          stats.rawRefused++;
          expect(["invalid_file", "missing_column"]).toContain(error.code);
          expect(error.message).toContain(path);
          expect(error.context.file).toBe(path);
          const lines = bytes.filter((b) => b === 10).length + 1;
          expect(error.context.line, error.message).toBeGreaterThanOrEqual(1);
          expect(error.context.line, error.message).toBeLessThanOrEqual(lines);
          expect(error.context.column, error.message).toMatch(/./s);
          return;
        }
        expectConsistent(result, bytes.toString("utf8"));
      }),
      { seed: SEED, numRuns: RAW_RUNS },
    );
    expect(stats.rawRefused).toBeGreaterThan(RAW_RUNS / 4);
  }, FUZZ_TIMEOUT);

  it("a large fuzzed file: parallel ranges say exactly what one thread says, and what the contract says", async () => {
    const rows = fc.sample(fuzzRow, { seed: SEED, numRuns: PARALLEL_ROWS }).filter((row) => !row.cells.some((c) => c.includes("\0")));
    const file: FuzzFile = { bom: true, header: [...studentYearColumns, "note"], rows, finalEol: true };
    const path = writeTemp("large", writeFuzzFile(file).text);
    const one = (await expectRead(path, file))!;
    const used: number[] = [];
    for (const readers of [2, 3]) {
      const parallel = await readHistory(path, { readers });
      // A cut that falls inside a quoted line break sends the read back to one thread.
      expect([1, readers]).toContain(parallel.readers);
      used.push(parallel.readers);
      expect({ ...parallel, table: parallel.table.rows(), readers: 0 }).toEqual({ ...one, table: one.table.rows(), readers: 0 });
    }
    expect(Math.max(...used)).toBeGreaterThan(1);
    stats.parallelRows += one.read;
  }, FUZZ_TIMEOUT);
});
