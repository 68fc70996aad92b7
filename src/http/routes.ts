import type { Request, Response } from "express";
import type { z } from "zod";
import {
  describeDriver,
  EwisError,
  gradeLabel,
  inScope,
  parseDrivers,
  priorMilestoneText,
  rollupScope,
  studentScope,
  type AccessScope,
  type IndicatorName,
  type Principal,
} from "../core/index.ts";
import type { ListedScore, ScoreStore, TermRecord } from "../store/scoreStore.ts";
import type { PageCache } from "./pageCache.ts";
import { riskListColumns, riskListLine } from "../io/scoresFile.ts";
import {
  cursorSchema,
  encodeCursor,
  noQuery,
  placeParams,
  rollupQuery,
  schoolListQuery,
  studentListQuery,
  studentParams,
  termOnlyQuery,
} from "./queryParams.ts";

/**
 * The API as a table: each route's path, parameters and handler, from which Express is wired
 * and the OpenAPI document is written, so the two cannot drift apart.
 */
export interface RouteContext {
  store: ScoreStore;
  pages: PageCache;
  principal: Principal;
  params: Record<string, string>;
  query: Record<string, unknown>;
  req: Request;
  res: Response;
}

export interface RouteSpec {
  path: string;
  summary: string;
  params?: z.ZodType;
  query: z.ZodType;
  /** Reads student-level data: needs a student scope and leaves an audit record. */
  studentLevel: boolean;
  public?: boolean;
  csv?: boolean;
  handle(ctx: RouteContext): unknown;
}

const DEFAULT_PAGE = 50;

function termOf(store: ScoreStore, termId: number | undefined): TermRecord {
  const term = termId === undefined ? store.latestTerm() : store.listTerms().find((t) => t.id === termId);
  if (!term) throw new EwisError("not_found", termId === undefined ? "no term has been published yet" : `no published term ${termId}`);
  return term;
}

const termSummary = (t: TermRecord) => ({ id: t.id, school_year: t.school_year, label: t.label, finished_at: t.finished_at });

function studentScopeOf(principal: Principal): AccessScope {
  const scope = studentScope(principal);
  if (!scope) throw new EwisError("forbidden", "your role sees rollups, not individual students (a state admin needs a student grant)");
  return scope;
}

type DriverJson = { indicator: string; value: number | null; contribution: number; text: string };

/**
 * Drivers as JSON, remembered by their stored text: parsing and wording them was a third of a
 * list page's time, and a page is read again and again in a term. A pure function of the text,
 * so nothing goes stale; the cap bounds the memory (a few hundred bytes an entry).
 */
const driversSeen = new Map<string, readonly DriverJson[]>();
const DRIVERS_SEEN_MAX = 100_000;

function driversOf(compact: string): readonly DriverJson[] {
  let drivers = driversSeen.get(compact);
  if (drivers === undefined) {
    drivers = Object.freeze(
      parseDrivers(compact).map((d) => Object.freeze({ ...d, value: Number.isNaN(d.value) ? null : d.value, text: describeDriver(d.indicator as IndicatorName, d.value) })),
    );
    if (driversSeen.size >= DRIVERS_SEEN_MAX) driversSeen.clear();
    driversSeen.set(compact, drivers);
  }
  return drivers;
}

const scoreJson = (s: ListedScore) => ({
  student_id: s.student_id,
  school_year: s.school_year,
  district_id: s.district_id,
  school_id: s.school_id,
  grade: s.grade,
  milestone: s.milestone,
  risk: s.risk,
  tier: s.tier,
  previous_tier: s.previous_tier,
  change: s.change,
  drivers: driversOf(s.drivers),
  prior: s.prior ? { ...s.prior, text: priorMilestoneText(s.milestone, s.prior) } : null,
  scored_with: s.scoredWith,
});

function audit(ctx: RouteContext, route: string, term: TermRecord, students: readonly string[]): void {
  ctx.store.recordAudit({
    at: new Date().toISOString(),
    token_id: ctx.principal.tokenId,
    token_name: ctx.principal.name,
    role: ctx.principal.role,
    route,
    term_id: term.id,
    students: [...new Set(students)],
  });
}

function riskListCsv(term: TermRecord, scores: readonly ListedScore[]): string {
  const lines = [riskListColumns.join(",")];
  for (const s of scores) lines.push(riskListLine(term.label, s));
  return `${lines.join("\n")}\n`;
}

function rollupView(ctx: RouteContext, where: { scope: "state" | "district" | "school"; district_id: string; school_id: string }) {
  const q = ctx.query as z.infer<typeof rollupQuery>;
  const term = termOf(ctx.store, q.term);
  const cells = ctx.store.rollups(
    term.id,
    { scope: where.scope, district_id: where.district_id || undefined, school_id: where.school_id || undefined, milestone: q.milestone, grade: q.grade, dimension: q.dimension },
    rollupScope(ctx.principal),
  );
  return { term: termSummary(term), suppression_threshold: term.suppression_threshold, cells };
}

/** A school or district outside the caller's scope answers 404, as one that does not exist. */
function placeInScope(ctx: RouteContext, term: TermRecord, match: (p: { district_id: string; school_id: string }) => boolean) {
  const place = ctx.store.places(term.id, rollupScope(ctx.principal)).find(match);
  if (!place) throw new EwisError("not_found", "no such place in your scope this term");
  return place;
}

export const routes: RouteSpec[] = [
  {
    path: "/health",
    summary: "Ready when a published term is readable",
    query: noQuery,
    studentLevel: false,
    public: true,
    handle: ({ store, res }) => {
      const term = store.latestTerm();
      if (!term) {
        res.status(503);
        return { status: "not_ready", reason: "no published term" };
      }
      return { status: "ready", term: termSummary(term) };
    },
  },
  {
    path: "/terms",
    summary: "Published terms, oldest first",
    query: noQuery,
    studentLevel: false,
    handle: ({ store }) => ({
      terms: store.listTerms().map((t) => ({ ...termSummary(t), students_enrolled: t.students_enrolled, students_scored: t.students_scored, scores: t.scores })),
    }),
  },
  {
    path: "/students",
    summary: "A risk list for a term (latest by default), highest risk first; JSON pages or the whole list as CSV",
    query: studentListQuery,
    studentLevel: true,
    csv: true,
    handle: (ctx) => {
      const q = ctx.query as z.infer<typeof studentListQuery>;
      const scope = studentScopeOf(ctx.principal);
      const term = termOf(ctx.store, q.term);
      const filter = { school_id: q.school, district_id: q.district, grade: q.grade, milestone: q.milestone, tier: q.tier, change: q.change };
      const asCsv = q.format === "csv" || (q.format === undefined && ctx.req.accepts(["application/json", "text/csv"]) === "text/csv");
      if (asCsv) {
        const all = ctx.store.riskList(term.id, filter, scope, { sort: q.sort });
        audit(ctx, "GET /students (csv)", term, all.map((s) => s.student_id));
        ctx.res.type("text/csv").attachment(`risk-list-${term.school_year}-${term.label}.csv`);
        // A download has no room to name its term version as the JSON body does; the headers do.
        ctx.res.set({ "Ewis-Term": `${term.id} ${term.school_year} ${term.label}`, "Ewis-Term-Finished-At": term.finished_at });
        return riskListCsv(term, all);
      }
      let after;
      if (q.cursor !== undefined) {
        let decoded: unknown;
        try {
          decoded = JSON.parse(Buffer.from(q.cursor, "base64url").toString("utf8"));
        } catch {
          decoded = undefined;
        }
        const parsed = cursorSchema.safeParse(decoded);
        if (!parsed.success) throw new EwisError("invalid_argument", "cursor: not a cursor this API returned; start again without it");
        after = { risk: parsed.data[0], student_id: parsed.data[1], milestone: parsed.data[2] };
      }
      const limit = q.limit ?? DEFAULT_PAGE;
      const key = JSON.stringify([term.id, term.started_at, scope, filter, q.sort ?? null, after ?? null, limit]);
      let cached = ctx.pages.get(key);
      if (!cached) {
        const rows = ctx.store.riskList(term.id, filter, scope, { sort: q.sort, after, limit: limit + 1 });
        const page = rows.slice(0, limit);
        const body = { term: termSummary(term), students: page.map(scoreJson), next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
        cached = { json: JSON.stringify(body), students: page.map((s) => s.student_id) };
        ctx.pages.set(key, cached);
      }
      audit(ctx, "GET /students", term, cached.students);
      ctx.res.type("application/json");
      return cached.json;
    },
  },
  {
    path: "/students/:id",
    summary: "One student's scores this term with drivers and indicator values, and tier history across terms",
    params: studentParams,
    query: termOnlyQuery,
    studentLevel: true,
    handle: (ctx) => {
      const scope = studentScopeOf(ctx.principal);
      const term = termOf(ctx.store, (ctx.query as z.infer<typeof termOnlyQuery>).term);
      const detail = ctx.store.studentDetail(term.id, ctx.params.id, scope);
      if (!detail) throw new EwisError("not_found", `no student ${ctx.params.id} in your scope this term`);
      audit(ctx, "GET /students/:id", term, [ctx.params.id]);
      const first = detail.scores[0];
      return {
        term: termSummary(term),
        student: { student_id: first.student_id, district_id: first.district_id, school_id: first.school_id, grade: first.grade, subgroups: first.subgroups },
        scores: detail.scores.map(scoreJson),
        indicators: Object.entries(detail.indicators).map(([name, value]) => ({
          indicator: name,
          value,
          text: describeDriver(name as IndicatorName, value === null ? NaN : value),
        })),
        history: detail.history,
      };
    },
  },
  {
    path: "/districts",
    summary: "Districts of a term in the caller's scope",
    query: termOnlyQuery,
    studentLevel: false,
    handle: (ctx) => {
      const term = termOf(ctx.store, (ctx.query as z.infer<typeof termOnlyQuery>).term);
      const scope = rollupScope(ctx.principal);
      const districts = [...new Set(ctx.store.places(term.id, scope).map((p) => p.district_id))].filter((d) => inScope(scope, { district_id: d, school_id: "" }));
      return { term: termSummary(term), districts: districts.map((district_id) => ({ district_id })) };
    },
  },
  {
    path: "/schools",
    summary: "Schools of a term in the caller's scope, optionally of one district",
    query: schoolListQuery,
    studentLevel: false,
    handle: (ctx) => {
      const q = ctx.query as z.infer<typeof schoolListQuery>;
      const term = termOf(ctx.store, q.term);
      const schools = ctx.store.places(term.id, rollupScope(ctx.principal)).filter((p) => p.school_id !== "" && (q.district === undefined || p.district_id === q.district));
      return { term: termSummary(term), schools };
    },
  },
  {
    path: "/state/rollup",
    summary: "State rollups by milestone, grade, tier and subgroup, suppressed cells marked",
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => {
      if (!rollupScope(ctx.principal).all) throw new EwisError("forbidden", "the state rollup is for state admins");
      return rollupView(ctx, { scope: "state", district_id: "", school_id: "" });
    },
  },
  {
    path: "/districts/:id/rollup",
    summary: "A district's rollups, suppressed cells marked",
    params: placeParams,
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => {
      const term = termOf(ctx.store, (ctx.query as z.infer<typeof rollupQuery>).term);
      const scope = rollupScope(ctx.principal);
      const place = placeInScope(ctx, term, (p) => p.district_id === ctx.params.id && p.school_id === "" && inScope(scope, p));
      return { district_id: place.district_id, ...rollupView(ctx, { scope: "district", district_id: place.district_id, school_id: "" }) };
    },
  },
  {
    path: "/schools/:id/rollup",
    summary: "A school's rollups, suppressed cells marked",
    params: placeParams,
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => {
      const term = termOf(ctx.store, (ctx.query as z.infer<typeof rollupQuery>).term);
      const place = placeInScope(ctx, term, (p) => p.school_id === ctx.params.id);
      return { ...place, ...rollupView(ctx, { scope: "school", district_id: place.district_id, school_id: place.school_id }) };
    },
  },
];
