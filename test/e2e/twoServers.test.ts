import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { withStores } from "../../src/store/openStores.ts";
import { storeMaker } from "../support/storeKinds.ts";

/**
 * A state deployment in miniature: two `ewis serve` processes on one PostgreSQL database, a
 * third process re-publishing the term they serve. Both must answer every request from one
 * whole version of the term, each answer equal byte for byte to what the other instance says
 * of that version; a token made once opens both; both audit into the one trail.
 */
const root = join(import.meta.dirname, "..", "..");
const models = join(root, "models");
const bin = join(root, "bin", "ewis.js");
const quiet = () => {};
const [A1, A] = ["D0001-E01", "D0001"];

describe("two ewis serve processes on one PostgreSQL database", () => {
  const maker = storeMaker("postgres");
  let db: string;
  const servers: { child: ChildProcess; base: string }[] = [];
  const histories: string[] = [];
  let counselor = "";
  let districtAdmin = "";

  const serve = () =>
    new Promise<{ child: ChildProcess; base: string }>((resolve, reject) => {
      const child = spawn("node", [bin, "serve", "--db", db, "--port", "0", "--rate-limit", "1000000"], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout!.on("data", (chunk) => {
        out += chunk;
        const match = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (match) resolve({ child, base: match[1] });
      });
      child.on("exit", (code) => reject(new Error(`ewis serve exited ${code}: ${out}`)));
    });

  const publish = (history: string) =>
    new Promise<number | null>((resolve) => {
      const child = spawn("node", [bin, "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", db], { stdio: "ignore" });
      child.on("exit", (code) => resolve(code));
    });

  beforeAll(async () => {
    db = await maker.fresh("shared");
    histories.push(join(root, "fixtures", "state-small.csv"), join(maker.work, "state-9.csv"));
    expect(await main(["node", "ewis", "generate", "--students", "3000", "--seed", "9", "--out", histories[1]], quiet)).toBe(0);
    for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
      expect(await main(["node", "ewis", "run-term", "--history", histories[0], "--year", year, "--term", term, "--models", models, "--db", db], quiet)).toBe(0);
    }
    const token = async (...args: string[]) => {
      const lines: string[] = [];
      expect(await main(["node", "ewis", "token", "create", "--db", db, ...args], (l) => lines.push(l))).toBe(0);
      return lines.at(-1)!;
    };
    counselor = await token("--role", "counselor", "--name", "shared counselor", "--school", A1);
    districtAdmin = await token("--role", "district_admin", "--name", "shared district", "--district", A);
    servers.push(await serve(), await serve());
  }, 120_000);

  afterAll(async () => {
    for (const { child } of servers) {
      child.removeAllListeners("exit");
      child.kill("SIGTERM");
    }
  });

  const paths: [string, () => string][] = [
    [`/students?school=${A1}&limit=100`, () => counselor],
    [`/students?school=${A1}&format=csv`, () => counselor],
    [`/districts/${A}/rollup?grade=all`, () => districtAdmin],
    [`/schools/${A1}/rollup`, () => districtAdmin],
  ];

  async function ask(server: number, path: number): Promise<{ version: string; body: string }> {
    const [route, token] = paths[path];
    const response = await fetch(`${servers[server].base}/api/v1${route}`, { headers: { authorization: `Bearer ${token()}` } });
    const body = await response.text();
    expect(response.status, route).toBe(200);
    const version = response.headers.get("content-type")?.includes("json")
      ? (JSON.parse(body) as { term: { finished_at: string } }).term.finished_at
      : response.headers.get("ewis-term-finished-at")!;
    return { version, body };
  }

  it("answer identically, each answer from one whole version, while a third process publishes", async () => {
    /** Every answer seen, by version and path: within a version, both servers and every request agree. */
    const seen = new Map<string, string>();
    let answers = 0;
    const record = ({ version, body }: { version: string; body: string }, path: number) => {
      const key = `${version} ${path}`;
      const before = seen.get(key);
      if (before === undefined) seen.set(key, body);
      else expect(body, `${paths[path][0]} as of ${version}`).toBe(before);
      answers++;
    };
    let publishing = true;
    const load = async (server: number) => {
      for (let k = server; publishing; k++) record(await ask(server, k % paths.length), k % paths.length);
    };
    const loaders = [load(0), load(1)];
    try {
      for (const history of [histories[1], histories[0], histories[1]]) expect(await publish(history)).toBe(0);
    } finally {
      publishing = false;
      await Promise.all(loaders);
    }
    // After the last commit both serve the same, latest version.
    for (let path = 0; path < paths.length; path++) {
      const [first, second] = [await ask(0, path), await ask(1, path)];
      expect(second).toEqual(first);
      record(first, path);
    }
    const versions = new Set([...seen.keys()].map((k) => k.split(" ")[0]));
    expect(versions.size).toBeGreaterThan(1);
    console.log(`two servers, one PostgreSQL: ${answers} answers over ${versions.size} term versions while 3 publishes ran`);
  }, 180_000);

  it("audit into the one trail, from either server", async () => {
    const before = await withStores(db, {}, ({ audit }) => audit.trail(1));
    await ask(0, 0);
    await ask(1, 0);
    const trail = await withStores(db, {}, ({ audit }) => audit.trail(2));
    expect(trail.map((e) => e.id)).toEqual([before[0].id + 2, before[0].id + 1]);
    expect(trail.every((e) => e.token_name === "shared counselor" && e.route === "GET /students")).toBe(true);
  });
});
