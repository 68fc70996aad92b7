import type { z } from "zod";
import { whoAmI } from "../app/me.ts";
import { csrfTokenOf } from "../app/sessions.ts";
import { termSummary } from "../app/readTerm.ts";
import { districtRollup, districtsInScope, schoolRollup, schoolsInScope, stateRollup } from "../app/rollups.ts";
import { riskListExport, riskListPage } from "../app/riskList.ts";
import { studentDetail } from "../app/studentDetail.ts";
import { sessionOfCaller } from "./auth.ts";
import { caseworkRoutes } from "./caseworkRoutes.ts";
import { noQuery, placeParams, rollupQuery, schoolListQuery, studentListQuery, studentParams, studentSearchBody, termOnlyQuery } from "./queryParams.ts";
import {
  districtRollupResponse,
  districtsResponse,
  healthResponse,
  meResponse,
  riskListResponse,
  schoolRollupResponse,
  schoolsResponse,
  signInResponse,
  stateRollupResponse,
  studentResponse,
  termsResponse,
} from "./responses.ts";
import { route, type RouteContext, type RouteSpec } from "./routeSpec.ts";

export type { RouteContext, RouteSpec };

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
  return jsonText(ctx, riskListPage({ term: q.term, filter, sort: q.sort, cursor: q.cursor, limit: q.limit, auditAs, casework: q.casework }, ctx));
}

/** An answer the use case made as JSON text already (a kept page or rollup): sent as it is, typed as JSON. */
function jsonText(ctx: RouteContext, text: Promise<string>): Promise<string> {
  ctx.res.type("application/json");
  return text;
}


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
    handle: (ctx) => jsonText(ctx, stateRollup(ctx.query as z.infer<typeof rollupQuery>, ctx)),
  }),
  route({
    path: "/districts/:id/rollup",
    response: districtRollupResponse,
    summary: "A district's rollups, suppressed cells marked",
    params: placeParams,
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => jsonText(ctx, districtRollup(ctx.params.id, ctx.query as z.infer<typeof rollupQuery>, ctx)),
  }),
  route({
    path: "/schools/:id/rollup",
    response: schoolRollupResponse,
    summary: "A school's rollups, suppressed cells marked",
    params: placeParams,
    query: rollupQuery,
    studentLevel: false,
    handle: (ctx) => jsonText(ctx, schoolRollup(ctx.params.id, ctx.query as z.infer<typeof rollupQuery>, ctx)),
  }),
  ...caseworkRoutes,
];
