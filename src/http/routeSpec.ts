import type { Request, Response } from "express";
import type { z } from "zod";
import type { Principal } from "../core/index.ts";
import type { PageCache } from "../app/pageCache.ts";
import type { FreshTables } from "../app/freshTables.ts";
import type { AuditTrail } from "../store/auditTrail.ts";
import type { CaseworkStore } from "../store/caseworkStore.ts";
import type { TermReads } from "../store/termStore.ts";

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
  /** Casework's state-wide tables, made at most every few minutes (`freshTables.ts`). */
  tables: FreshTables;
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

/** A route whose handler tsc holds to its response schema. */
export const route = <R extends z.ZodType>(spec: RouteSpec<R>): RouteSpec => spec as unknown as RouteSpec;
