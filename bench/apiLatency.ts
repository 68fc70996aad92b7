import autocannon from "autocannon";
import { issueToken } from "../src/cli/serviceCommands.ts";
import { createApp } from "../src/http/createApp.ts";
import { listen } from "../src/http/server.ts";
import { SqliteScoreStore } from "../src/store/sqliteScoreStore.ts";

/**
 * Latency of the two reads people wait on, under concurrent load on loopback: a school's risk
 * list (a counselor) and a district rollup (a district admin). The rate limit is lifted so the
 * load measures the service, not the limiter.
 */
export async function benchApiLatency(db: string, seconds = 10, connections = 16) {
  const store = new SqliteScoreStore(db);
  const term = store.latestTerm();
  const place = term && store.places(term.id, { all: true }).find((p) => p.school_id !== "");
  if (!term || !place) throw new Error(`${db} has no published term to serve`);
  const counselor = issueToken(store, { name: "bench counselor", role: "counselor", schools: [place.school_id], districts: [], studentGrant: false });
  const districtAdmin = issueToken(store, { name: "bench district admin", role: "district_admin", schools: [], districts: [place.district_id], studentGrant: false });
  const server = await listen(createApp({ store, rateLimitPerMinute: 10_000_000 }), 0);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1`;
  const load = async (path: string, token: string) => {
    const result = await autocannon({ url: `${base}${path}`, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } });
    return {
      path,
      connections,
      seconds,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      non2xx: result.non2xx,
    };
  };
  try {
    return {
      schoolRiskList: await load(`/students?school=${encodeURIComponent(place.school_id)}&limit=50`, counselor),
      districtRollup: await load(`/districts/${encodeURIComponent(place.district_id)}/rollup?grade=all`, districtAdmin),
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    store.close();
  }
}
