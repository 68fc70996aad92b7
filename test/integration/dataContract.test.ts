import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contractColumns, contractColumnTable, milestoneNames, milestones, studentYearSchema, type ContractColumn } from "../../src/core/index.ts";

/**
 * `docs/data-contract.md` is the input contract a state data team works from: its column table
 * is generated from `contractColumns`, and its milestone table, the schema and the code must
 * agree with it. The contract lives in the repository and nowhere else.
 */
const root = join(import.meta.dirname, "..", "..");
const contractPath = "docs/data-contract.md";
const contract = readFileSync(join(root, contractPath), "utf8");
const regenerate = "npx tsx docs/regenerate-contract-table.ts";

const BEGIN = "<!-- columns:begin -->";
const END = "<!-- columns:end -->";

/** The text between the column markers, without the line breaks that end the marker lines. */
function columnBlock(): string {
  const begin = contract.indexOf(BEGIN);
  const end = contract.indexOf(END);
  expect(begin, `${contractPath} must hold the line ${BEGIN}`).toBeGreaterThanOrEqual(0);
  expect(end, `${contractPath} must hold the line ${END} after ${BEGIN}`).toBeGreaterThan(begin);
  expect(contract.indexOf(BEGIN, begin + 1), `${contractPath} must hold ${BEGIN} once`).toBe(-1);
  expect(contract.indexOf(END, end + 1), `${contractPath} must hold ${END} once`).toBe(-1);
  return contract.slice(begin + BEGIN.length, end).replace(/^\r?\n/, "").replace(/\r?\n$/, "");
}

/** A Markdown table's data rows as cells, from its header line (which must start with `header`). */
function tableRows(text: string, header: string): string[][] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `${contractPath} has no table whose header starts with "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith("|"); i++) {
    rows.push(lines[i].replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => cell.trim()));
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, "");

/** The column table of the contract: each column's name and whether it is required, in order. */
function documentedColumns(): { name: string; required: boolean }[] {
  return tableRows(columnBlock(), "| column |").map(([name, , required]) => ({ name: unquote(name), required: required === "yes" }));
}

describe("docs/data-contract.md", () => {
  it("holds exactly the column table that contractColumnTable() generates", () => {
    expect(
      columnBlock(),
      `the column table in ${contractPath} differs from contractColumnTable() (src/core/contractColumns.ts); regenerate it with \`${regenerate}\``,
    ).toBe(contractColumnTable());
  });

  it("lists every milestone of the code with exactly its grades, and no other", () => {
    const documented = Object.fromEntries(
      tableRows(contract, "| milestone | grades scored |").map(([name, grades]) => [unquote(name), grades.split(",").map((g) => Number(g.trim()))]),
    );
    const code = Object.fromEntries(milestoneNames.map((m) => [m, [...milestones[m].grades]]));
    expect(documented, `the milestone table of ${contractPath} must match \`milestones\` in src/core/milestones.ts`).toEqual(code);
  });
});

describe("the student-year schema keeps the contract", () => {
  /** One valid row, each cell a value its column allows. */
  const sampleCell = (c: ContractColumn): string => {
    switch (c.type) {
      case "student_id":
        return "S-001";
      case "place_id":
        return "P1";
      case "grade":
      case "code":
        return (c.codes ?? [])[0];
      case "date":
        return "2008-03-01";
      case "flag":
        return "0";
      case "integer":
        return String(c.max === undefined ? (c.min ?? 0) + 1 : Math.floor(((c.min ?? 0) + c.max) / 2));
    }
  };
  const columns = contractColumns as readonly ContractColumn[];
  const sample: Record<string, string> = Object.fromEntries(columns.map((c) => [c.name, sampleCell(c)]));

  const issuesOn = (row: Record<string, string | undefined>, column: string): string[] => {
    const result = studentYearSchema.safeParse(row);
    return result.success ? [] : result.error.issues.filter((i) => i.path[0] === column).map((i) => i.message);
  };

  it("samples a valid row", () => {
    expect(studentYearSchema.safeParse(sample).error?.issues ?? []).toEqual([]);
  });

  it("has exactly the contract's columns, in its order", () => {
    expect(Object.keys(studentYearSchema.shape)).toEqual(documentedColumns().map((c) => c.name));
    expect(columns.map((c) => c.name)).toEqual(documentedColumns().map((c) => c.name));
  });

  it("rejects a blank or missing cell in exactly the required columns", () => {
    const rejectedWhenBlank = columns
      .filter((c) => {
        const { [c.name]: _dropped, ...row } = sample;
        return issuesOn(row, c.name).length > 0 && issuesOn({ ...sample, [c.name]: undefined }, c.name).length > 0;
      })
      .map((c) => c.name);
    const must = "the columns studentYearSchema rejects when blank must be exactly the required ones";
    expect(rejectedWhenBlank, `${must} of ${contractPath}`).toEqual(documentedColumns().filter((c) => c.required).map((c) => c.name));
    expect(rejectedWhenBlank, `${must} of contractColumns`).toEqual(columns.filter((c) => c.required).map((c) => c.name));
  });

  describe.each(columns.filter((c) => c.type === "integer").map((c) => [c.name, c] as const))("%s", (name, c) => {
    const min = c.min ?? 0;
    /** The sample row with `name` = `value`, and the columns it is compared with set so that only its own bounds decide. */
    const rowWith = (value: number): Record<string, string> => {
      const row = { ...sample, [name]: String(value) };
      if (c.atMost) {
        const cap = columns.find((d) => d.name === c.atMost)?.max ?? Number.MAX_SAFE_INTEGER;
        row[c.atMost] = String(Math.min(Math.max(value, Number(sample[c.atMost])), cap));
      }
      for (const d of columns) if (d.atMost === name) row[d.name] = String(d.min ?? 0);
      return row;
    };
    const accepted = (value: number) => studentYearSchema.safeParse(rowWith(value)).error?.issues ?? [];

    it(`rejects ${min - 1} and accepts ${min}`, () => {
      expect(issuesOn(rowWith(min - 1), name), `${name} = ${min - 1} must be rejected`).not.toEqual([]);
      expect(accepted(min), `${name} = ${min} must be accepted`).toEqual([]);
    });

    if (c.max !== undefined) {
      const max = c.max;
      it(`accepts ${max} and rejects ${max + 1}`, () => {
        expect(accepted(max), `${name} = ${max} must be accepted`).toEqual([]);
        expect(issuesOn(rowWith(max + 1), name), `${name} = ${max + 1} must be rejected`).not.toEqual([]);
      });
    } else {
      it("has no upper bound", () => {
        expect(accepted(1_000_000), `${name} = 1000000 must be accepted`).toEqual([]);
      });
    }
  });
});

describe("the contract lives in the repository", () => {
  it("is not referred to at its old place outside the repository", () => {
    const self = "test/integration/dataContract.test.ts";
    // Tracked files and new ones not yet committed (but not ignored ones).
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter((f) => f !== "" && f !== self);
    const oldPlace = /shared\/spec|student-year\.md/;
    const offences = [...new Set(files)].flatMap((file) => {
      const path = join(root, file);
      if (!existsSync(path) || !statSync(path).isFile()) return [];
      return readFileSync(path, "utf8")
        .split("\n")
        .flatMap((line, i) => {
          const at = line.search(oldPlace);
          return at < 0 ? [] : [`${file}:${i + 1}: …${line.slice(Math.max(0, at - 60), at + 60).trim()}…`];
        });
    });
    expect(
      offences,
      `these files still name the contract's old place (shared/spec/student-year.md); point them at ${contractPath}:\n${offences.join("\n")}\n`,
    ).toEqual([]);
  });
});
