import { readFile } from "node:fs/promises";
import { CsvError, parse } from "csv-parse/sync";
import { EwisError, isStudentId, rosterCellProblem, type StudentName } from "../core/index.ts";
import { firstInvalidUtf8 } from "./utf8Decoder.ts";

/** Each student's name by student id, as `run-term --roster` publishes it with the term. */
export type Roster = Map<string, StudentName>;

export const rosterColumns = ["student_id", "first_name", "last_name", "local_id"] as const;
const required = ["student_id", "first_name", "last_name"];

interface Problem {
  line: number;
  column: string;
  why: string;
}

/** How many problems one error lists: enough to fix a file in one pass, few enough to read. */
const LISTED = 10;

/**
 * Reads a roster CSV (`student_id,first_name,last_name[,local_id]`, in any order). A roster is
 * all or nothing: any problem stops the run before anything is published, with every problem's
 * line and column (up to ten) and never a cell's value, since the cells are children's names.
 */
export async function readRoster(file: string): Promise<Roster> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new EwisError("invalid_file", `the roster cannot be read: ${(error as Error).message}`, { file });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const badByte = firstInvalidUtf8(bytes);
    const line = 1 + bytes.subarray(0, badByte).filter((b) => b === 0x0a).length;
    throw new EwisError("invalid_file", `the roster is not UTF-8 (byte ${badByte}); save it as UTF-8`, { file, line });
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof records;
  } catch (error) {
    const line = error instanceof CsvError ? (error as CsvError & { lines?: number }).lines : undefined;
    // csv-parse's message can quote the record: keep only its code, never the text.
    const code = error instanceof CsvError ? error.code : "unreadable";
    throw new EwisError("invalid_file", `the roster is not a valid CSV file (${code})`, { file, line });
  }
  if (records.length === 0) throw new EwisError("invalid_file", "the roster is empty: it needs a header row", { file, line: 1 });
  const header = records[0].record.map((h) => h.trim());
  for (const name of header) {
    if (!(rosterColumns as readonly string[]).includes(name)) {
      // Named only when it looks like a column name: a roster without a header has a child's name here.
      const shown = /^[A-Za-z_]{1,40}$/.test(name) ? `unknown roster column "${name}"` : "a header cell that is no roster column (is the header row missing?)";
      throw new EwisError("missing_column", `${shown}: a roster holds only ${rosterColumns.join(", ")}`, { file, line: 1 });
    }
  }
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new EwisError("missing_column", `the roster has no ${missing.join(", ")} column`, { file, line: 1 });
  const at = Object.fromEntries(rosterColumns.map((c) => [c, header.indexOf(c)])) as Record<(typeof rosterColumns)[number], number>;

  const roster: Roster = new Map();
  const firstLine = new Map<string, number>();
  const problems: Problem[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = (column: (typeof rosterColumns)[number]) => (at[column] < 0 ? "" : record[at[column]].trim());
    const id = cell("student_id");
    let ok = true;
    if (!isStudentId(id)) {
      problems.push({ line, column: "student_id", why: "is not a student id (1–32 characters of A-Z a-z 0-9 _ -)" });
      ok = false;
    } else if (firstLine.has(id)) {
      problems.push({ line, column: "student_id", why: `is the same student as line ${firstLine.get(id)}` });
      ok = false;
    }
    for (const column of ["first_name", "last_name", "local_id"] as const) {
      const why = rosterCellProblem(cell(column), column);
      if (why) {
        problems.push({ line, column, why });
        ok = false;
      }
    }
    if (!ok) continue;
    firstLine.set(id, line);
    roster.set(id, { first_name: cell("first_name"), last_name: cell("last_name"), local_id: cell("local_id") || null });
  }
  if (problems.length > 0) {
    const [first] = problems;
    const listed = problems.slice(0, LISTED).map((p) => `line ${p.line}, ${p.column} ${p.why}`);
    const more = problems.length > LISTED ? `; and ${problems.length - LISTED} more` : "";
    throw new EwisError("invalid_file", `the roster has ${problems.length} problem${problems.length === 1 ? "" : "s"}, nothing was published: ${listed.join("; ")}${more}`, {
      file,
      line: first.line,
      column: first.column,
    });
  }
  return roster;
}
