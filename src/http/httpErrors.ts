import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { EwisError, type EwisErrorCode } from "../core/index.ts";
import { routeOf, type ErrorLine, type LogSink } from "./accessLog.ts";

/** Core names no HTTP status; this table does, and the compiler makes it complete. */
const statusOf: Record<EwisErrorCode, number> = {
  invalid_file: 400,
  invalid_record: 400,
  missing_column: 400,
  invalid_argument: 400,
  unknown_milestone: 400,
  not_converged: 500,
  separation: 500,
  singular: 500,
  model_not_found: 404,
  invalid_model: 500,
  insufficient_data: 404,
  forbidden: 403,
  unauthorized: 401,
  not_found: 404,
  // Changed by someone else since it was read: read it again, then decide.
  conflict: 409,
  // The database cannot be read or written just now: the client may try again later.
  store_failed: 503,
};

export interface ErrorBody {
  error: { code: string; message: string };
}

const body = (code: string, message: string): ErrorBody => ({ error: { code, message } });

/** Zod's issues as one sentence naming each parameter: "limit: must be 1 to 500; colour: unknown parameter". */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === "unrecognized_keys") return issue.keys.map((k) => `${k}: unknown parameter`).join("; ");
      return `${issue.path.join(".") || "request"}: ${issue.message}`;
    })
    .join("; ");
}

/** An error as the log keeps it: what went wrong and where in the code, nothing of the request. */
function errorLine(error: unknown, req: Request, res: Response, status: number, now: () => Date): ErrorLine {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: unknown })?.code;
  return {
    type: "error",
    time: now().toISOString(),
    method: req.method,
    route: routeOf(res),
    status,
    error: { name: e.name, message: e.message, ...(typeof code === "string" ? { code } : {}), ...(e.stack ? { stack: e.stack } : {}) },
  };
}

/**
 * One error handler: a JSON body with a code and a message, never a stack trace. Whatever
 * answers 5xx is the service's fault and goes to the log, through the same sink as requests.
 */
export function errorHandler(log: LogSink, now: () => Date = () => new Date()): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof EwisError) {
      const status = statusOf[error.code];
      if (status >= 500) log(errorLine(error, req, res, status, now));
      res.status(status).json(body(error.code, error.message));
    } else if (error instanceof z.ZodError) {
      res.status(400).json(body("invalid_argument", describeIssues(error)));
    } else if (typeof error?.status === "number" && error.status >= 400 && error.status < 500) {
      // body-parser and friends: too large, malformed JSON.
      res.status(error.status).json(body(error.type ?? "bad_request", error.expose ? String(error.message) : "bad request"));
    } else {
      log(errorLine(error, req, res, 500, now));
      res.status(500).json(body("internal", "something went wrong on our side; the error was logged"));
    }
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(body("not_found", `no route ${req.method} ${req.path}`));
};
