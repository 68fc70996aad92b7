import { performance } from "node:perf_hooks";
import type { RequestHandler, Response } from "express";
import type { Principal } from "../core/index.ts";

/**
 * The service's log: one line per request and one per unexpected error. A line names the route
 * by its pattern (`/api/v1/students/:id`), never the URL, so no student id, place or query
 * value reaches it; the caller is the token's or the signed-in user's id, never a token, a
 * cookie, a name or an email.
 */
export interface AccessLine {
  type: "access";
  time: string;
  method: string;
  /** The matched route's pattern, a page's fixed path, or `(no route)`. */
  route: string;
  status: number;
  ms: number;
  token: number | null;
  user: number | null;
  /** The client went away before the answer was sent. */
  aborted?: true;
}

export interface ErrorLine {
  type: "error";
  time: string;
  method: string;
  route: string;
  status: number;
  /** The error itself; never the request's parameters, query or body. */
  error: { name: string; message: string; code?: string; stack?: string };
}

/**
 * A sign-in through the identity provider, or a sign-out. A refused one names why, never who
 * tried: the provider's subject and the email stay out of the log.
 */
export interface SignInLine {
  type: "sign_in";
  time: string;
  outcome: "signed_in" | "signed_out" | "unknown_user" | "disabled" | "failed";
  user: number | null;
  /** For `failed`: the check that failed (a state or nonce mismatch, the provider's error code). */
  reason?: string;
}

export type LogLine = AccessLine | ErrorLine | SignInLine;
export type LogSink = (line: LogLine) => void;

/** Each line as one JSON object and a newline (what `ewis serve` writes to stdout). */
export const jsonLines =
  (write: (text: string) => void): LogSink =>
  (line) =>
    write(`${JSON.stringify(line)}\n`);

/** For an app made without a sink (tests, benchmarks): errors still reach stderr, requests are not logged. */
export const errorsToStderr: LogSink = (line) => {
  if (line.type === "error") process.stderr.write(`${JSON.stringify(line)}\n`);
};

export const NO_ROUTE = "(no route)";

/** Names the request's route for the log; set by the app on each route it serves. */
export const tagRoute =
  (pattern: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.route = pattern;
    next();
  };

export const routeOf = (res: Response): string => (typeof res.locals.route === "string" ? res.locals.route : NO_ROUTE);

/** A sink that throws must not take a request, or the process, down with it. */
export function safely(log: LogSink): LogSink {
  return (line) => {
    try {
      log(line);
    } catch {
      // Nowhere better to say it; the request has been answered.
    }
  };
}

/** Writes one access line when the response is sent (or the client goes away). */
export function accessLog(log: LogSink, now: () => Date): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const principal = res.locals.principal as Principal | undefined;
      log({
        type: "access",
        time: now().toISOString(),
        method: req.method,
        route: routeOf(res),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        token: principal?.tokenId ?? null,
        user: principal?.userId ?? null,
        ...(res.writableFinished ? {} : { aborted: true as const }),
      });
    };
    res.once("finish", write);
    res.once("close", write);
    next();
  };
}
