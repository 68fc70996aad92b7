import type { Server } from "node:http";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { main } from "../../src/cli/main.ts";
import { issueToken } from "../../src/app/tokens.ts";
import { tokenMint } from "../../src/http/auth.ts";
import { createApp, type AppOptions } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import type { Stores } from "../../src/store/stores.ts";
import type { TokenStore } from "../../src/store/tokenStore.ts";
import type { Role, TokenGrant } from "../../src/core/index.ts";

/**
 * The service the access tests run against: two terms of the small fixture published by the
 * CLI into a fresh SQLite store, one token per kind of holder, the real app on port 0. Shared
 * by `http.test.ts` and `accessHardening.test.ts`, with the access matrix both hold it to.
 */
export const root = join(import.meta.dirname, "..", "..");
export const quiet = () => {};

// Two districts; in the first, the counselor's school A1 and its neighbour A2.
export const A = "D0001";
export const A1 = "D0001-E01";
export const A2 = "D0001-H01";
export const B = "D0004";
export const B1 = "D0004-E01";

export type Who = "counselor" | "school_admin" | "district_admin" | "state_admin" | "state_admin_granted";
export const grants: Record<Who, { role: Role; schools: string[]; districts: string[]; studentGrant: boolean }> = {
  counselor: { role: "counselor", schools: [A1], districts: [], studentGrant: false },
  school_admin: { role: "school_admin", schools: [A1], districts: [], studentGrant: false },
  district_admin: { role: "district_admin", schools: [], districts: [A], studentGrant: false },
  state_admin: { role: "state_admin", schools: [], districts: [], studentGrant: false },
  state_admin_granted: { role: "state_admin", schools: [], districts: [], studentGrant: true },
};
export const everyone = Object.keys(grants) as Who[];

export type Place = "inA1" | "inA2" | "inB1";

export interface Service {
  db: string;
  stores: Stores;
  server: Server;
  base: string;
  tokens: Record<Who, string>;
  /** One student of each school, from the latest term. */
  students: Record<Place, string>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** A store with the fixture's spring 2026 and fall 2027 published, as `ewis run-term` does it. */
export async function publishedStore(prefix: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const db = join(work, "ewis.db");
  const history = join(root, "fixtures", "state-small.csv");
  for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", join(root, "models"), "--db", db], quiet)).toBe(0);
  }
  return db;
}

export const portOf = (server: Server): number => {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
};

/** A token as `ewis token create` makes it. */
export const newTestToken = (tokens: TokenStore, grant: TokenGrant, options: { now?: Date; expiresInDays?: number } = {}): Promise<string> =>
  issueToken(tokens, tokenMint, grant, options);

export async function startService(prefix: string, options: Omit<AppOptions, "stores"> = {}): Promise<Service> {
  const db = await publishedStore(prefix);
  const stores = await openStores(db);
  const tokens = {} as Record<Who, string>;
  for (const who of everyone) tokens[who] = await newTestToken(stores.tokens, { name: `test ${who}`, ...grants[who] });
  const term = (await stores.terms.latestTerm())!;
  const pick = async (school: string) => (await stores.terms.riskList(term.id, { school_id: school }, { all: true }, { limit: 1 }))[0].student_id;
  const students = { inA1: await pick(A1), inA2: await pick(A2), inB1: await pick(B1) };
  const server = await listen(createApp({ stores, ...options }), 0);
  return {
    db,
    stores,
    server,
    base: `http://127.0.0.1:${portOf(server)}`,
    tokens,
    students,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await stores.close();
    },
  };
}

/** GET under /api/v1 as one of the holders (or no one), the body parsed when it is JSON. */
export async function apiGet(service: Service, path: string, who?: Who, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${service.base}/api/v1${path}`, { headers: { ...(who ? { authorization: `Bearer ${service.tokens[who]}` } : {}), ...headers } });
  const text = await response.text();
  let body: unknown = text;
  if (response.headers.get("content-type")?.includes("json")) body = JSON.parse(text);
  return { status: response.status, body, text, headers: response.headers };
}

/** Who sees what: in scope 200, out of scope 404 (as if it did not exist), no grant 403. */
export const studentAccess: Record<Who, Record<Place, number>> = {
  counselor: { inA1: 200, inA2: 404, inB1: 404 },
  school_admin: { inA1: 200, inA2: 404, inB1: 404 },
  district_admin: { inA1: 200, inA2: 200, inB1: 404 },
  state_admin: { inA1: 403, inA2: 403, inB1: 403 },
  state_admin_granted: { inA1: 200, inA2: 200, inB1: 200 },
};
export const schoolRollup: Record<Who, Record<string, number>> = {
  counselor: { [A1]: 200, [A2]: 404, [B1]: 404 },
  school_admin: { [A1]: 200, [A2]: 404, [B1]: 404 },
  district_admin: { [A1]: 200, [A2]: 200, [B1]: 404 },
  state_admin: { [A1]: 200, [A2]: 200, [B1]: 200 },
  state_admin_granted: { [A1]: 200, [A2]: 200, [B1]: 200 },
};
export const districtRollup: Record<Who, Record<string, number>> = {
  counselor: { [A]: 404, [B]: 404 },
  school_admin: { [A]: 404, [B]: 404 },
  district_admin: { [A]: 200, [B]: 404 },
  state_admin: { [A]: 200, [B]: 200 },
  state_admin_granted: { [A]: 200, [B]: 200 },
};
export const stateRollup: Record<Who, number> = { counselor: 403, school_admin: 403, district_admin: 403, state_admin: 200, state_admin_granted: 200 };
/** The schools a holder's risk list may show, whatever the filter. */
export const listedSchools: Record<Who, string[] | "forbidden" | "all"> = {
  counselor: [A1],
  school_admin: [A1],
  district_admin: [A1, A2, "D0001-M01"],
  state_admin: "forbidden",
  state_admin_granted: "all",
};
export const listFilters = ["", `&school=${B1}`, `&district=${B}`, `&school=${A2}`];

/** The matrix as requests and the status each must get, for replaying it whole. */
export function matrixRequests(service: Service): { who: Who; path: string; status: number }[] {
  const out: { who: Who; path: string; status: number }[] = [];
  for (const who of everyone) {
    for (const [place, id] of Object.entries(service.students) as [Place, string][]) out.push({ who, path: `/students/${id}`, status: studentAccess[who][place] });
    const listed = listedSchools[who];
    for (const filter of listFilters) out.push({ who, path: `/students?limit=500${filter}`, status: listed === "forbidden" ? 403 : 200 });
    for (const [school, status] of Object.entries(schoolRollup[who])) out.push({ who, path: `/schools/${school}/rollup`, status });
    for (const [district, status] of Object.entries(districtRollup[who])) out.push({ who, path: `/districts/${district}/rollup`, status });
    out.push({ who, path: "/state/rollup", status: stateRollup[who] });
    out.push({ who, path: "/schools", status: 200 }, { who, path: "/districts", status: 200 }, { who, path: "/terms", status: 200 });
  }
  return out;
}
