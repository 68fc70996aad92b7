import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import { newTestToken } from "../support/serviceFixture.ts";

const root = join(import.meta.dirname, "..", "..");
const quiet = () => {};
/** A district id is free text in the contract: this one is a formula, and a valid id. */
const district = "=1+D0001";
const formulaStart = /^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/;

describe("exports a spreadsheet opens never start a cell with a formula", () => {
  it("neutralises a formula district id in ewis export, ewis rollups and the API's CSV list", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-formula-"));
    const history = join(work, "history.csv");
    const original = await readFile(join(root, "fixtures", "state-small.csv"), "utf8");
    await writeFile(history, original.replaceAll(",D0001,", `,${district},`));
    const db = join(work, "ewis.db");
    const models = join(root, "models");
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", db], quiet)).toBe(0);

    const exported = join(work, "list.csv");
    expect(await main(["node", "ewis", "export", "--db", db, "--year", "2027", "--term", "fall", "--out", exported], quiet)).toBe(0);
    const rollups = join(work, "rollups.csv");
    expect(await main(["node", "ewis", "rollups", "--db", db, "--year", "2027", "--term", "fall", "--out", rollups], quiet)).toBe(0);

    const stores = await openStores(db);
    const token = await newTestToken(stores.tokens, { name: "formula admin", role: "district_admin", schools: [], districts: [district], studentGrant: false });
    const server = await listen(createApp({ stores }), 0);
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1/students?format=csv&district=${encodeURIComponent(district)}`;
    let api: string;
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      api = await response.text();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await stores.close();
    }

    for (const text of [await readFile(exported, "utf8"), await readFile(rollups, "utf8"), api]) {
      const records = parse(text, { columns: true }) as Record<string, string>[];
      const ours = records.filter((r) => r.district_id === `'${district}`);
      expect(ours.length).toBeGreaterThan(0);
      for (const r of records) for (const cell of Object.values(r)) expect(cell).not.toMatch(formulaStart);
    }
  });
});
