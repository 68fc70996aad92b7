import { existsSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "../support/postgresServer.ts";

/** The server the PostgreSQL store tests will run against: started here, a real one, on loopback. */
describe("the tests' own PostgreSQL server", () => {
  let server: PostgresServer;
  const connect = async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it("listens on a loopback port and keeps what one connection commits for the next, not what it rolls back", async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const writer = await connect();
    try {
      await writer.query("CREATE TABLE terms (id serial PRIMARY KEY, label text NOT NULL)");
      await writer.query("BEGIN");
      for (const label of ["fall", "winter", "spring"]) await writer.query("INSERT INTO terms (label) VALUES ($1)", [label]);
      await writer.query("COMMIT");
      await writer.query("BEGIN");
      await writer.query("INSERT INTO terms (label) VALUES ('half-written')");
      await writer.query("ROLLBACK");
    } finally {
      await writer.end();
    }
    const reader = await connect();
    try {
      const { rows } = await reader.query("SELECT label FROM terms ORDER BY id");
      expect(rows.map((r) => r.label)).toEqual(["fall", "winter", "spring"]);
    } finally {
      await reader.end();
    }
  });

  it("gives a REPEATABLE READ reader one snapshot while another connection commits", async () => {
    const reader = await connect();
    const writer = await connect();
    try {
      await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      const before = await reader.query("SELECT count(*)::int AS n FROM terms");
      await writer.query("INSERT INTO terms (label) VALUES ('summer')");
      const during = await reader.query("SELECT count(*)::int AS n FROM terms");
      expect(during.rows[0].n).toBe(before.rows[0].n);
      await reader.query("COMMIT");
      const after = await reader.query("SELECT count(*)::int AS n FROM terms");
      expect(after.rows[0].n).toBe(before.rows[0].n + 1);
    } finally {
      await reader.end();
      await writer.end();
    }
  });

  it("is gone once stopped: no connection, no files", async () => {
    const { url, directory } = server;
    expect(existsSync(directory)).toBe(true);
    await server.stop();
    server = undefined as unknown as PostgresServer;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow();
    await client.end().catch(() => undefined);
    expect(existsSync(directory)).toBe(false);
  });
});
