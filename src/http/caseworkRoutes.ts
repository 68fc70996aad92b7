import type { z } from "zod";
import { assignPlan, checkIn, endPlan, interventionCatalog, notesOfStudent, plansExport, plansOfStudent, revisePlan, writeNote } from "../app/casework.ts";
import { coverageRollup } from "../app/planCoverage.ts";
import { movementRollup } from "../app/planMovement.ts";
import { placeOf } from "../app/placeQuery.ts";
import { checkInBody, endPlanBody, newPlanBody, noteBody, planIdParams, revisionBody } from "./caseworkBodies.ts";
import { coverageQuery, movementQuery, noQuery, studentParams } from "./queryParams.ts";
import { coverageResponse, interventionsResponse, movementResponse, noteResponse, notesResponse, planResponse, plansCsvResponse, plansResponse } from "./responses.ts";
import { route, type RouteSpec } from "./routeSpec.ts";

/** The casework routes: the catalog, plans, notes, the plans export and coverage (`src/app/casework.ts`). */
export const caseworkRoutes: RouteSpec[] = [
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
      return coverageRollup(ctx, { place: placeOf(q.place), milestone: q.milestone, grade: q.grade, dimension: q.dimension });
    },
  }),
  route({
    path: "/movement",
    response: movementResponse,
    summary:
      "How a term's students moved from their tier in the term before, for those with a plan open between the two publications and those without, by intervention: descriptive, not causal; suppressed as every rollup is",
    query: movementQuery,
    studentLevel: false,
    handle: (ctx) => {
      const q = ctx.query as z.infer<typeof movementQuery>;
      return movementRollup(ctx, { place: placeOf(q.place), term: q.term, milestone: q.milestone });
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
];
