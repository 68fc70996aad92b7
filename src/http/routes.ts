import type { Request, Response } from "express";
import type { z } from "zod";
import type { Principal } from "../core/index.ts";
import type { PageCache } from "../app/pageCache.ts";
import { whoAmI } from "../app/me.ts";
import { coverageRollup, type CoverageCache } from "../app/planCoverage.ts";
import { assignPlan, checkIn, endPlan, interventionCatalog, notesOfStudent, plansExport, plansOfStudent, revisePlan, writeNote } from "../app/casework.ts";
import type { CaseworkStore } from "../store/caseworkStore.ts";
import { checkInBody, endPlanBody, newPlanBody, noteBody, planIdParams, revisionBody } from "./caseworkBodies.ts";
import { csrfTokenOf } from "../app/sessions.ts";
import { sessionOfCaller } from "./auth.ts";
import { termSummary } from "../app/readTerm.ts";
import { districtRollup, districtsInScope, schoolRollup, schoolsInScope, stateRollup } from "../app/rollups.ts";
import { riskListExport, riskListPage } from "../app/riskList.ts";
import { studentDetail } from "../app/studentDetail.ts";
import type { AuditTrail } from "../store/auditTrail.ts";
import type { TermReads } from "../store/termStore.ts";
import { coverageQuery, noQuery, placeParams, rollupQuery, schoolListQuery, studentListQuery, studentParams, studentSearchBody, termOnlyQuery } from "./queryParams.ts";
import {
  districtRollupResponse,
  districtsResponse,
  healthResponse,
  interventionsResponse,
  noteResponse,
  notesResponse,
  planResponse,
  coverageResponse,
  plansCsvResponse,
  plansResponse,
  meResponse,
  riskListResponse,
  schoolRollupResponse,
  schoolsResponse,
  signInResponse,
  stateRollupResponse,
  studentResponse,
  termsResponse,
} from "./responses.ts";

/**
 * The API as a table: each route's path, parameters and handler, from which Express is wired
 * and the OpenAPI document is written, so the two cannot drift apart. A handler parses nothing
 * (the schemas did), calls one use case of `src/app` and says how to answer.
 */
export interface RouteContext {
  /** One snapshot of the published terms for the whole request. */
  reads: TermReads;
  audit: AuditTrail;
  pages: PageCache;
  principal: Principal;
  clock: () => Date;
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The JSON body as the route's `body` schema parsed it (POST routes). */
  body: unknown;
  casework: CaseworkStore;
  coverage: CoverageCache;
  req: Request;
  res: Response;
  /** Whether people sign in through an identity provider here (`/sign-in`). */
  singleSignOn: boolean;
}

export interface RouteSpec<R extends z.ZodType = z.ZodType> {
  path: string;
  /** GET unless said; a POST takes a JSON `body` and, when signed in by cookie, the CSRF token. */
  method?: "get" | "post";
  body?: z.ZodType;
  /** Answers 201 Created (a new plan or note), not 200. */
  creates?: boolean;
  summary: string;
  params?: z.ZodType;
  query: z.ZodType;
  /** The JSON body of a 200 (`responses.ts`); the handler must return it, or its text already made. */
  response: R;
  /** Reads student-level data: needs a student scope and leaves an audit record. */
  studentLevel: boolean;
  public?: boolean;
  csv?: boolean;
  /** Answers CSV only (an export), never JSON. */
  csvOnly?: boolean;
  handle(ctx: RouteContext): Promise<z.input<R> | string>;
}

type RiskListAsked = Omit<z.infer<typeof studentListQuery>, "name"> & { name?: string };

/** A page of the list or the whole list as CSV, as the request accepts. */
async function riskListAnswer(ctx: RouteContext, q: RiskListAsked, auditAs: string): Promise<string> {
  const filter = { school_id: q.school, district_id: q.district, grade: q.grade, milestone: q.milestone, tier: q.tier, change: q.change, name: q.name };
  const asCsv = q.format === "csv" || (q.format === undefined && ctx.req.accepts(["application/json", "text/csv"]) === "text/csv");
  if (asCsv) {
    const { term, csv } = await riskListExport({ term: q.term, filter, sort: q.sort, auditAs, casework: q.casework }, ctx);
    ctx.res.type("text/csv").attachment(`risk-list-${term.school_year}-${term.label}.csv`);
    // A download has no room to name its term version as the JSON body does; the headers do.
    ctx.res.set({ "Ewis-Term": `${term.id} ${term.school_year} ${term.label}`, "Ewis-Term-Finished-At": term.finished_at });
    return csv;
  }
  ctx.res.type("application/json");
  return riskListPage({ term: q.term, filter, sort: q.sort, cursor: q.cursor, limit: q.limit, auditAs, casework: q.casework }, ctx);
}

/** A route whose handler tsc holds to its response schema. */
const route = <R extends z.ZodType>(spec: RouteSpec<R>): RouteSpec => spec as unknown as RouteSpec;

export const routes: RouteSpec[] = [
  route({
    path: "/health",
    response: healthResponse,
    summary: "Ready when a published term is readable",
    query: noQuery,
    studentLevel: false,
    public: true,
    handle: async ({ reads, res }) => {
      const term = await reads.latestTerm();
      if (!term) {
        res.status(503);
        return { status: "not_ready" as const, reason: "no published term" };
      }
      return { status: "ready" as const, term: termSummary(term) };
    },
  }),
  route({
    path: "/me",
    response: meResponse,
    summary: "Who the caller is: name, role, scope, and whether the role reads students",
    query: noQuery,
    studentLevel: false,
    handle: async ({ principal, res }) => {
      const session = sessionOfCaller(res);
      return { ...whoAmI(principal), csrf_token: session === undefined ? null : csrfTokenOf(session) };
    },
  }),
  route({
    path: "/sign-in",
    response: signInResponse,
    summary: "How people sign in here: through the district's identity provider (`/auth/login`), or with an API token only",
    query: noQuery,
    studentLevel: false,
    public: true,
    handle: async ({ singleSignOn }) => ({ single_sign_on: singleSignOn, login_url: singleSignOn ? "/auth/login" : null }),
  }),
  route({
    path: "/terms",
    response: termsResponse,
    summary: "Published terms, oldest first",
    query: noQuery,
    studentLevel: false,
    handle: async ({ reads }) => ({
      terms: (await reads.listTerms()).map((t) => ({ ...termSummary(t), students_enrolled: t.students_enrolled, students_scored: t.students_scored, scores: t.scores })),
    }),
  }),
  route({
    path: "/students",
    response: riskListResponse,
    summary: "A risk list for a term (latest by default), highest risk first; JSON pages or the whole list as CSV",
    query: studentListQuery,
    studentLevel: true,
    csv: true,
    handle: (ctx) => riskListAnswer(ctx, ctx.query as z.infer<typeof studentListQuery>, "GET /students"),
  }),
  route({
    path: "/students/search",
    method: "post",
    body: studentSearchBody,
    response: riskListResponse,
    summary: "The risk list of the students of a name (start of a first or last name, or a local id), with the list's filters; in the body, never the address",
    query: noQuery,
    studentLevel: true,
    csv: true,
    handle: (ctx) => riskListAnswer(ctx, ctx.body as z.infer<typeof studentSearchBody>, "POST /students/search"),
  }),
  route({
    path: "/students/:id",
    response: studentResponse,
    summary: "One student's scores this term with drivers and indicator values, and tier history across terms",
    params: studentParams,
    query: termOnlyQuery,
    studentLevel: true,
    handle: (ctx) => studentDetail(ctx.params.id, (ctx.query as z.infer<typeof termOnlyQuery>).term, ctx),
  }),
  route({
    path: "/interventions",
    response: interventionsResponse,
    summary: "The catalog of interventions a plan may be of, retired ones marked",
    query: noQuery,
    studentLevel: false,
    handle: (ctx) => interventionCatalog(ctx.casework),
  }),
  route({
    path: "/students/:id/plans",
    response: plansResponse,
    summary: "A student's intervention plans, newest first, each with when its next check-in is due and its whole history",
    params: studentParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => plansOfStudent(ctx, ctx.params.id),
  }),
  route({
    path: "/students/:id/plans",
    method: "post",
    body: newPlanBody,
    creates: true,
    response: planResponse,
    summary: "Assigns an intervention to a student in scope: type, owner, start, planned end, goal, check-in frequency",
    params: studentParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => assignPlan(ctx, ctx.params.id, ctx.body as z.infer<typeof newPlanBody>),
  }),
  route({
    path: "/plans/:id/check-ins",
    method: "post",
    body: checkInBody,
    response: planResponse,
    summary: "Records a check-in on a plan, at the version read (409 if it changed since)",
    params: planIdParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => checkIn(ctx, Number(ctx.params.id), ctx.body as z.infer<typeof checkInBody>),
  }),
  route({
    path: "/plans/:id/revisions",
    method: "post",
    body: revisionBody,
    response: planResponse,
    summary: "Changes a plan's owner, goal, planned end or check-in frequency, at the version read (409 if it changed since)",
    params: planIdParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => revisePlan(ctx, Number(ctx.params.id), ctx.body as z.infer<typeof revisionBody>),
  }),
  route({
    path: "/plans/:id/end",
    method: "post",
    body: endPlanBody,
    response: planResponse,
    summary: "Ends a plan with its outcome, at the version read (409 if it changed since)",
    params: planIdParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => endPlan(ctx, Number(ctx.params.id), ctx.body as z.infer<typeof endPlanBody>),
  }),
  route({
    path: "/plans",
    response: plansCsvResponse,
    summary: "Every intervention plan in the caller's scope, open and ended, as CSV (with the students' names where the roster gives them)",
    query: noQuery,
    studentLevel: true,
    csv: true,
    csvOnly: true,
    handle: async (ctx) => {
      const csv = await plansExport(ctx);
      ctx.res.type("text/csv").attachment("plans.csv");
      return csv;
    },
  }),
  route({
    path: "/coverage",
    response: coverageResponse,
    summary: "Of a place's high-risk students, how many have a plan open, by milestone, grade and subgroup, suppressed as every rollup is (made at most every 5 minutes)",
    query: coverageQuery,
    studentLevel: false,
    handle: (ctx) => {
      const q = ctx.query as z.infer<typeof coverageQuery>;
      const [scope, id] = q.place.split(":") as ["state" | "district" | "school", string];
      const place = scope === "state" ? { scope } : scope === "district" ? { scope, district_id: id } : { scope, school_id: id };
      return coverageRollup(ctx, { place, milestone: q.milestone, grade: q.grade, dimension: q.dimension });
    },
  }),
  route({
    path: "/students/:id/notes",
    response: notesResponse,
    summary: "A student's notes the caller's role may read, newest first, and how many restricted ones it may not",
    params: studentParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => notesOfStudent(ctx, ctx.params.id),
  }),
  route({
    path: "/students/:id/notes",
    method: "post",
    body: noteBody,
    creates: true,
    response: noteResponse,
    summary: "Writes a dated note about a student in scope; a restricted one only counselors and school admins read",
    params: studentParams,
    query: noQuery,
    studentLevel: true,
    handle: (ctx) => writeNote(ctx, ctx.params.id, ctx.body as z.infer<typeof noteBody>),
  }),
  route({
    path: "/districts",
    response: districtsResponse,
    summary: "Districts of a term in the caller's scope",
    query: termOnlyQuery,
    studentLevel: false,
    handle: (ctx) => districtsInScope((ctx.query as z.infer<typeof termOnlyQuery>).term, ctx),
  }),
  route({
    path: "/schools",
    response: schoolsResponse,
    summary: "Schools of a term in the caller's scope, optionally of one district",
    query: schoolListQuery,
    studentLevel: false,
    handle: (ctx) => {
      const q = ctx.query as z.infer<typeof schoolListQuery>;
      return schoolsInScope(q.term, q.district, ctx);
    },
  }),
  route({
    path: "/state/rollup",
    response: stateRollupResponse,
    summary: "State rollups by milestone, grade, tier and subgroup, suppressed cells marked",
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => stateRollup(ctx.query as z.infer<typeof rollupQuery>, ctx),
  }),
  route({
    path: "/districts/:id/rollup",
    response: districtRollupResponse,
    summary: "A district's rollups, suppressed cells marked",
    params: placeParams,
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => districtRollup(ctx.params.id, ctx.query as z.infer<typeof rollupQuery>, ctx),
  }),
  route({
    path: "/schools/:id/rollup",
    response: schoolRollupResponse,
    summary: "A school's rollups, suppressed cells marked",
    params: placeParams,
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => schoolRollup(ctx.params.id, ctx.query as z.infer<typeof rollupQuery>, ctx),
  }),
];
