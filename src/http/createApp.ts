import { readdirSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../io/packageRoot.ts";
import express, { type NextFunction, type Request, type Response } from "express";
import rateLimit, { ipKeyGenerator } from "express-rate-limit";
import helmet from "helmet";
import { ewisVersion } from "../io/ewisVersion.ts";
import { PageCache } from "../app/pageCache.ts";
import { FreshTables } from "../app/freshTables.ts";
import { workerTables } from "../parallel/tableWorkers.ts";
import type { Stores } from "../store/stores.ts";
import { accessLog, errorsToStderr, safely, tagRoute, type LogSink } from "./accessLog.ts";
import { callerAuth, principalOf } from "./auth.ts";
import { oidcRoutes, type SingleSignOn } from "./oidcSignIn.ts";
import { signInCookies } from "./signInCookies.ts";
import { errorHandler, notFoundHandler } from "./httpErrors.ts";
import { InFlight } from "./inFlight.ts";
import { openApiDocument } from "./openapi.ts";
import { routes, type RouteSpec } from "./routes.ts";

export interface AppOptions {
  stores: Stores;
  /** Requests per token (or address, before sign-in) per minute. */
  rateLimitPerMinute?: number;
  /**
   * Where the access and error lines go (`accessLog.ts`). `ewis serve` writes JSON lines to
   * stdout; without one, only errors are written, to stderr.
   */
  log?: LogSink;
  /** The clock tokens expire by and lines are stamped with. */
  now?: () => Date;
  /** Counts the requests' store work, so whoever closes the stores can wait for it (`ewis serve`). */
  inFlight?: InFlight;
  /** Sign-in through the district's identity provider (`oidcSignIn.ts`); without it, API tokens only. */
  singleSignOn?: SingleSignOn;
  /** Served over HTTPS (`--public-url https://…`): the sign-in cookies are Secure and `__Host-`. */
  secureCookies?: boolean;
}

const webRoot = join(packageRoot, "src", "web");
const chartJs = join(packageRoot, "node_modules", "chart.js", "dist", "chart.umd.min.js");

/** Builds the app; `server.ts` only listens, so tests run it on port 0. */
export function createApp({
  stores,
  rateLimitPerMinute = 600,
  log: sink = errorsToStderr,
  now = () => new Date(),
  inFlight = new InFlight(),
  singleSignOn,
  secureCookies = false,
}: AppOptions): express.Express {
  const log = safely(sink);
  const app = express();
  app.disable("x-powered-by");
  app.use(accessLog(log, now));
  app.use(helmet());
  app.use(express.json({ limit: "16kb" }));

  const api = express.Router();
  const cookies = signInCookies(secureCookies);
  const auth = callerAuth(stores, cookies, now, inFlight);
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: rateLimitPerMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      if (!res.locals.principal) return `ip:${ipKeyGenerator(req.ip ?? "")}`;
      const { tokenId, userId } = principalOf(res);
      return tokenId !== null ? `token:${tokenId}` : `user:${userId}`;
    },
    handler: (_req, res) => {
      res.status(429).json({ error: { code: "rate_limited", message: `more than ${rateLimitPerMinute} requests a minute; slow down` } });
    },
  });
  // Before the token is checked, by address: requests with bad tokens cost a lookup too.
  const addressLimiter = rateLimit({
    windowMs: 60_000,
    limit: rateLimitPerMinute * 10,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? "")}`,
    handler: (_req, res) => {
      res.status(429).json({ error: { code: "rate_limited", message: "too many requests from this address; slow down" } });
    },
  });
  const document = openApiDocument(routes, ewisVersion);
  api.get("/openapi.json", tagRoute("/api/v1/openapi.json"), limiter, (_req, res) => {
    res.json(document);
  });
  const pages = new PageCache();
  // Casework tables are made on worker threads: a state's takes seconds of CPU.
  const tables = new FreshTables(workerTables);
  for (const route of routes) {
    api[route.method ?? "get"](
      route.path,
      tagRoute(`/api/v1${route.path}`),
      ...(route.public ? [limiter] : [addressLimiter, auth, limiter]),
      handlerFor(route, stores, pages, tables, now, inFlight, singleSignOn !== undefined),
    );
  }
  api.use(notFoundHandler);
  app.use("/api/v1", api);
  if (singleSignOn) app.use("/auth", addressLimiter, oidcRoutes(singleSignOn, stores, cookies, log, now));

  app.get("/vendor/chart.umd.min.js", tagRoute("/vendor/chart.umd.min.js"), (_req, res) => res.sendFile(chartJs));
  // A page's path is one of a fixed few, so the log names it as it is; anything else is `(no route)`.
  const pagePathSet = pagePaths();
  app.use((req, res, next) => (pagePathSet.has(req.path) ? tagRoute(req.path)(req, res, next) : next()));
  app.use(express.static(webRoot, { extensions: ["html"] }));
  app.use(notFoundHandler);
  app.use(errorHandler(log, now));
  return app;
}

/** The paths `express.static` answers with a file of `src/web`: each file, and each page without `.html`. */
function pagePaths(): Set<string> {
  const paths = new Set<string>();
  for (const file of readdirSync(webRoot)) {
    paths.add(`/${file}`);
    if (file.endsWith(".html")) paths.add(`/${file.slice(0, -".html".length)}`);
    if (file === "index.html") paths.add("/");
  }
  return paths;
}

function handlerFor(route: RouteSpec, stores: Stores, pages: PageCache, tables: FreshTables, clock: () => Date, inFlight: InFlight, singleSignOn: boolean) {
  return async (req: Request, res: Response, _next: NextFunction) => {
    // What a signed-in person read stays out of every cache: a shared school computer's back button shows nothing after sign-out.
    if (!route.public) res.set("Cache-Control", "private, no-store");
    const params = route.params ? (route.params.parse(req.params) as Record<string, string>) : {};
    const query = route.query.parse(req.query) as Record<string, unknown>;
    // express.json leaves no body for another content type: the schema then says what is missing.
    const body = route.body ? route.body.parse(req.body ?? {}) : undefined;
    // One snapshot a request: a term re-published meanwhile is seen whole or not at all.
    const answer = await inFlight.run(() =>
      stores.terms.reading((reads) => route.handle({ reads, audit: stores.audit, casework: stores.casework, tables, pages, principal: res.locals.principal, clock, params, query, body, req, res, singleSignOn })),
    );
    if (route.creates) res.status(201);
    if (typeof answer === "string") res.send(answer);
    else res.json(answer);
  };
}
