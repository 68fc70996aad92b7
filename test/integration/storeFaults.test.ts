import { spawn } from "node:child_process";
import { chmod, copyFile, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";

/**
 * The store's disk fills or its file is read-only: run-term must say so in one line naming
 * the file, exit 1, and leave every published term as it was. Both faults are real ones made
 * for the child process alone: a file-size limit (`ulimit -f`, with SIGXFSZ ignored so writes
 * fail with EFBIG as on a full disk) and file permissions (when the suite runs as root, the
 * child runs without the capabilities that let root write through them: util-linux's setpriv).
 */
const root = join(import.meta.dirname, "..", "..");
const smallState = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const quiet = () => {};
let work: string;
let db: string;

const dumpRollups = async (year: string, term: string) => {
  const out = join(work, `rollups-${year}-${term}-${Math.random().toString(36).slice(2)}.csv`);
  expect(await main(["node", "ewis", "rollups", "--db", db, "--year", year, "--term", term, "--out", out], quiet)).toBe(0);
  return readFile(out, "utf8");
};

const termsIn = (file: string) => {
  const check = new Database(file, { readonly: true });
  try {
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    return (check.prepare("SELECT school_year, label, scores FROM terms ORDER BY id").all() as { school_year: number; label: string; scores: number }[]).map(
      (t) => `${t.school_year} ${t.label} ${t.scores}`,
    );
  } finally {
    check.close();
  }
};

/** `ewis run-term` for 2027 fall in a child process, through `sh` so it can set limits first. */
function runTermChild(shellPrefix: string, options: { obeyPermissions?: boolean; history?: string } = {}) {
  const command = `${shellPrefix} exec node "${join(root, "bin", "ewis.js")}" run-term --history "${options.history ?? smallState}" --year 2027 --term fall --models "${models}" --db "${db}"`;
  const asRoot = options.obeyPermissions && process.getuid?.() === 0;
  const [file, args] = asRoot ? ["setpriv", ["--bounding-set=-dac_override,-dac_read_search", "sh", "-c", command]] : ["sh", ["-c", command]];
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HOME: work } });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.on("data", (chunk) => (stdout += chunk));
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => child.on("exit", (code) => resolve({ code, stderr, stdout })));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-faults-"));
  db = join(work, "ewis.db");
  expect(await main(["node", "ewis", "run-term", "--history", smallState, "--year", "2026", "--term", "spring", "--models", models, "--db", db], quiet)).toBe(0);
});

describe("a store that cannot be written", () => {
  it("a full disk stops the publish with one clear line, rolls it back, and the next run publishes", async () => {
    const before = termsIn(db);
    const springBefore = await dumpRollups("2026", "spring");
    // 512-byte blocks: the term's write-ahead log outgrows 256 kB long before its commit.
    const { code, stderr } = await runTermChild("trap '' XFSZ; ulimit -f 512;");
    expect(code).toBe(1);
    expect(stderr).toContain(`ewis: ${db}: publishing 2027 fall failed: the disk is full`);
    expect(stderr).toContain("rolled back, so the store holds what it held before");
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(termsIn(db)).toEqual(before);
    expect(await dumpRollups("2026", "spring")).toBe(springBefore);

    const { code: again } = await runTermChild("");
    expect(again).toBe(0);
    expect(termsIn(db)).toEqual([...before, expect.stringMatching(/^2027 fall \d+$/)]);
  });

  it("a read-only store is refused before the history is read, and nothing changes", async () => {
    const readOnly = join(work, "read-only.db");
    const check = new Database(db);
    check.pragma("wal_checkpoint(TRUNCATE)");
    check.close();
    await copyFile(db, readOnly);
    await chmod(readOnly, 0o444);
    const saved = db;
    db = readOnly;
    try {
      const before = termsIn(readOnly);
      const { code, stderr, stdout } = await runTermChild("", { obeyPermissions: true });
      expect(code).toBe(1);
      // Opening fails first when the store needs a migration; otherwise taking the write lock does.
      expect(stderr).toMatch(new RegExp(`^ewis: ${readOnly}: (opening the store|taking the store's write lock) failed: the store \\(or its folder`, "m"));
      expect(stderr).toContain("read-only to this user");
      expect(stdout).not.toContain("read: started");
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(termsIn(readOnly)).toEqual(before);
    } finally {
      db = saved;
    }
  });
});
