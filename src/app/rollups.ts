import { EwisError, inScope, rollupScope, type RollupCell } from "../core/index.ts";
import type { RollupFilter, TermReads, TermRecord } from "../store/termStore.ts";
import type { PageCache } from "./pageCache.ts";
import { termOf, termSummary, type ReadPorts } from "./readTerm.ts";

/** The cells a caller narrows a rollup to. */
export type RollupQuery = Pick<RollupFilter, "milestone" | "grade" | "dimension"> & { term?: number };

type RollupPorts = Omit<ReadPorts, "audit">;
type Where = { scope: RollupCell["scope"]; district_id: string; school_id: string };

async function rollupView(reads: TermReads, ports: RollupPorts, term: TermRecord, q: RollupQuery, where: Where) {
  const cells = await reads.rollups(
    term.id,
    { scope: where.scope, district_id: where.district_id || undefined, school_id: where.school_id || undefined, milestone: q.milestone, grade: q.grade, dimension: q.dimension },
    rollupScope(ports.principal),
  );
  return { term: termSummary(term), suppression_threshold: term.suppression_threshold, cells };
}

/**
 * A rollup answer as JSON text. A published term's rollups never change, and a district's is
 * the same for everyone who may read it: so, once the caller's access is checked, the text is
 * kept by term version, place, query and scope, and sent again as it is (as list pages are).
 */
async function kept(ports: RollupPorts & { pages: PageCache }, term: TermRecord, key: unknown[], make: () => Promise<object>): Promise<string> {
  const text = JSON.stringify(["rollup", term.id, term.started_at, rollupScope(ports.principal), ...key]);
  const hit = ports.pages.get(text);
  if (hit) return hit.json;
  const json = JSON.stringify(await make());
  ports.pages.set(text, { json, students: [] });
  return json;
}

/** A school or district outside the caller's scope answers 404, as one that does not exist. */
async function placeInScope(ports: RollupPorts, term: TermRecord, match: (p: { district_id: string; school_id: string }) => boolean) {
  const place = (await ports.reads.places(term.id, rollupScope(ports.principal))).find(match);
  if (!place) throw new EwisError("not_found", "no such place in your scope this term");
  return place;
}

const asked = (q: RollupQuery) => [q.milestone ?? null, q.grade ?? null, q.dimension ?? null];

export async function stateRollup(q: RollupQuery, ports: RollupPorts & { pages: PageCache }): Promise<string> {
  if (!rollupScope(ports.principal).all) throw new EwisError("forbidden", "the state rollup is for state admins");
  const term = await termOf(ports.reads, q.term);
  return kept(ports, term, ["state", ...asked(q)], () => rollupView(ports.reads, ports, term, q, { scope: "state", district_id: "", school_id: "" }));
}

export async function districtRollup(districtId: string, q: RollupQuery, ports: RollupPorts & { pages: PageCache }): Promise<string> {
  const term = await termOf(ports.reads, q.term);
  const scope = rollupScope(ports.principal);
  const place = await placeInScope(ports, term, (p) => p.district_id === districtId && p.school_id === "" && inScope(scope, p));
  return kept(ports, term, ["district", place.district_id, ...asked(q)], async () => ({
    district_id: place.district_id,
    ...(await rollupView(ports.reads, ports, term, q, { scope: "district", district_id: place.district_id, school_id: "" })),
  }));
}

export async function schoolRollup(schoolId: string, q: RollupQuery, ports: RollupPorts & { pages: PageCache }): Promise<string> {
  const term = await termOf(ports.reads, q.term);
  const place = await placeInScope(ports, term, (p) => p.school_id === schoolId);
  return kept(ports, term, ["school", place.school_id, ...asked(q)], async () => ({
    ...place,
    ...(await rollupView(ports.reads, ports, term, q, { scope: "school", district_id: place.district_id, school_id: place.school_id })),
  }));
}

/** Districts of a term the caller may read rollups of. */
export async function districtsInScope(termId: number | undefined, ports: RollupPorts) {
  const term = await termOf(ports.reads, termId);
  const scope = rollupScope(ports.principal);
  const districts = [...new Set((await ports.reads.places(term.id, scope)).map((p) => p.district_id))].filter((d) => inScope(scope, { district_id: d, school_id: "" }));
  return { term: termSummary(term), districts: districts.map((district_id) => ({ district_id })) };
}

/** Schools of a term the caller may read rollups of, optionally of one district. */
export async function schoolsInScope(termId: number | undefined, district: string | undefined, ports: RollupPorts) {
  const term = await termOf(ports.reads, termId);
  const schools = (await ports.reads.places(term.id, rollupScope(ports.principal))).filter((p) => p.school_id !== "" && (district === undefined || p.district_id === district));
  return { term: termSummary(term), schools };
}
