import { Worker } from "node:worker_threads";
import autocannon from "autocannon";
import { issueToken } from "../src/app/tokens.ts";
import { tokenMint } from "../src/http/auth.ts";
import { createApp } from "../src/http/createApp.ts";
import { InFlight } from "../src/http/inFlight.ts";
import { listen } from "../src/http/server.ts";
import { openStores } from "../src/store/openStores.ts";

/** The size of school issue 6 sets the list target for, and the API's largest page (`limit`). */
const TARGET_STUDENTS = 500;
const MAX_PAGE = 500;

export interface LatencyOptions {
  /** Seconds per run. */
  seconds?: number;
  /** Requests per second of the fixed-rate runs (autocannon's `overallRate`). */
  rate?: number;
  /** Concurrent connections of every run. */
  connections?: number;
}

/**
 * Latency of the three reads people wait on, under concurrent load on loopback: a school's risk
 * list (a counselor, the school closest to 500 students, its first page of `MAX_PAGE` rows), one
 * student's detail (the same counselor, the school's highest-risk student) and a district
 * rollup (a district admin). Each is loaded at a fixed `rate`; the list and the state,
 * district and school rollups also flat out, for the throughput. The rate limit is lifted so the load measures the service, not the limiter.
 *
 * autocannon runs in a worker thread, so the load generator does not share the server's event
 * loop. Its fixed rate is per-second batches: each connection sends its share of the second's
 * requests back to back, then waits for the next second, so `connections` is the concurrency a
 * request meets in the first part of each second (a harder load than requests spread over the
 * second). So each fixed-rate figure also has `paced`: the same rate with one request every
 * 1/rate s, latency counted from when it was due (no coordinated omission).
 */
export async function benchApiLatency(db: string, { seconds = 10, rate = 200, connections = 8 }: LatencyOptions = {}) {
  const stores = await openStores(db, { mustExist: true });
  const store = stores.terms;
  const term = await store.latestTerm();
  if (!term) throw new Error(`${stores.location} has no published term to serve`);
  const schools = [];
  for (const p of (await store.places(term.id, { all: true })).filter((p) => p.school_id !== "")) {
    const rows = await store.riskList(term.id, { school_id: p.school_id });
    schools.push({ ...p, students: new Set(rows.map((r) => r.student_id)).size, rows: rows.length, topStudent: rows[0]?.student_id });
  }
  if (schools.length === 0) throw new Error(`${db} has no school to serve`);
  // Closest to the target size; when no school reaches it, that is the biggest.
  const school = schools.reduce((best, s) => (Math.abs(s.students - TARGET_STUDENTS) < Math.abs(best.students - TARGET_STUDENTS) ? s : best));
  if (!school.topStudent) throw new Error(`school ${school.school_id} has no students`);
  const counselor = await issueToken(stores.tokens, tokenMint, { name: "bench counselor", role: "counselor", schools: [school.school_id], districts: [], studentGrant: false });
  const districtAdmin = await issueToken(stores.tokens, tokenMint, { name: "bench district admin", role: "district_admin", schools: [], districts: [school.district_id], studentGrant: false });
  const stateAdmin = await issueToken(stores.tokens, tokenMint, { name: "bench state admin", role: "state_admin", schools: [], districts: [], studentGrant: false });
  const inFlight = new InFlight();
  const server = await listen(createApp({ stores, inFlight, rateLimitPerMinute: 10_000_000 }), 0);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1`;

  const listPath = `/students?school=${encodeURIComponent(school.school_id)}&limit=${MAX_PAGE}`;
  const detailPath = `/students/${encodeURIComponent(school.topStudent)}`;
  const rollupPath = `/districts/${encodeURIComponent(school.district_id)}/rollup?grade=all`;
  const stateRollupPath = "/state/rollup?grade=all";
  const schoolRollupPath = `/schools/${encodeURIComponent(school.school_id)}/rollup?grade=all`;

  const load = async (path: string, token: string, fixedRate: number | undefined) => {
    const result = await autocannon({
      url: `${base}${path}`,
      connections,
      duration: seconds,
      workers: 1,
      headers: { authorization: `Bearer ${token}` },
      ...(fixedRate === undefined ? {} : { overallRate: fixedRate }),
    });
    const figures = {
      path,
      rate: fixedRate ?? "max",
      connections,
      seconds,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      bytesPerRequest: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
    };
    if (figures.non2xx !== 0 || figures.errors !== 0) throw new Error(`${path}: ${figures.non2xx} non-2xx responses, ${figures.errors} errors`);
    if (fixedRate === undefined) return figures;
    return { ...figures, paced: await paced(`${base}${path}`, token, fixedRate, seconds) };
  };

  try {
    // One request each first: the page must be what the figures claim it is.
    const page = (await get(`${base}${listPath}`, counselor)) as { students: unknown[] };
    await get(`${base}${detailPath}`, counselor);
    await get(`${base}${rollupPath}`, districtAdmin);
    return {
      school: {
        school_id: school.school_id,
        district_id: school.district_id,
        students: school.students,
        listRows: school.rows,
        pageRows: page.students.length,
        note:
          school.rows > MAX_PAGE
            ? `a list row is a student and milestone: the school's list is ${school.rows} rows, the API's largest page is ${MAX_PAGE}, so the figures are for the first page`
            : "the whole list in one page",
      },
      schoolRiskList: await load(listPath, counselor, rate),
      studentDetail: await load(detailPath, counselor, rate),
      districtRollup: await load(rollupPath, districtAdmin, rate),
      schoolRiskListFlatOut: await load(listPath, counselor, undefined),
      // Issue 17: every rollup route at least 1 000 requests/s flat out.
      rollupsFlatOut: {
        state: await load(stateRollupPath, stateAdmin, undefined),
        district: await load(rollupPath, districtAdmin, undefined),
        school: await load(schoolRollupPath, districtAdmin, undefined),
      },
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await inFlight.idle();
    await stores.close();
  }
}

async function get(url: string, token: string): Promise<unknown> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * An open-loop load in a worker thread: request k is sent at k/rate s on a keep-alive agent
 * whatever the earlier ones are doing, and its latency runs from then to the end of the body.
 */
async function paced(url: string, token: string, rate: number, seconds: number) {
  const code = `
    const { parentPort, workerData: { url, token, rate, seconds } } = require("node:worker_threads");
    const http = require("node:http");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const total = Math.round(rate * seconds), latencies = [];
    let done = 0, non2xx = 0, errors = 0;
    const finish = () => { if (++done === total) { agent.destroy(); parentPort.postMessage({ latencies, non2xx, errors }); } };
    const start = performance.now() + 50;
    const send = (k) => {
      const due = start + (k * 1000) / rate;
      http.get(url, { agent, headers: { authorization: "Bearer " + token } }, (res) => {
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
        res.on("data", () => {});
        res.on("end", () => { latencies.push(performance.now() - due); finish(); });
      }).on("error", () => { errors++; finish(); });
    };
    let next = 0;
    const tick = () => {
      while (next < total && start + (next * 1000) / rate <= performance.now()) send(next++);
      if (next < total) setTimeout(tick, Math.max(0, start + (next * 1000) / rate - performance.now()));
    };
    setTimeout(tick, 50);
  `;
  const result = await new Promise<{ latencies: number[]; non2xx: number; errors: number }>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { url, token, rate, seconds } });
    worker.once("message", (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
  if (result.non2xx !== 0 || result.errors !== 0) throw new Error(`${url} (paced): ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  const sorted = result.latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10;
  return { rate, requests: sorted.length, p50ms: at(0.5), p99ms: at(0.99), maxms: at(1) };
}
