import express, { type Request, type Response } from "express";
import * as oidc from "openid-client";
import { EwisError } from "../core/index.ts";
import { csrfMatches, endSession, sessionOf, startSession } from "../app/sessions.ts";
import type { Stores } from "../store/stores.ts";
import type { LogSink } from "./accessLog.ts";
import { tagRoute } from "./accessLog.ts";
import { clearedCookie, cookieOptions, loginCookieOf, sessionCookieOf, type SignInCookies } from "./signInCookies.ts";

/** How ewis signs people in through the district's OpenID Connect provider. */
export interface OidcSettings {
  /** The provider's issuer, e.g. `https://accounts.google.com`. */
  issuer: URL;
  clientId: string;
  /** Absent for a public client (PKCE alone); from `EWIS_OIDC_CLIENT_SECRET`, never a flag. */
  clientSecret?: string;
  /** Where browsers reach this ewis; the provider sends them back to `<publicUrl>auth/callback`. */
  publicUrl: URL;
  sessionHours: number;
}

/** A provider found and ready: its configuration and where it returns to. */
export interface SingleSignOn {
  config: oidc.Configuration;
  redirectUri: string;
  sessionHours: number;
}

const loopback = (url: URL) => ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);

/**
 * Reads the provider's discovery document once, at start-up: a provider that cannot be reached
 * stops `ewis serve` with its address, rather than failing every sign-in later. Plain HTTP is
 * allowed only to a provider on this machine (the demo's, the tests').
 */
export async function discoverProvider(settings: OidcSettings): Promise<SingleSignOn> {
  if (settings.issuer.protocol !== "https:" && !loopback(settings.issuer)) {
    throw new EwisError("invalid_argument", `--oidc-issuer must be https (only a provider on this machine may use http), got ${settings.issuer.href}`);
  }
  const auth = settings.clientSecret ? oidc.ClientSecretPost(settings.clientSecret) : oidc.None();
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(settings.issuer, settings.clientId, undefined, auth, loopback(settings.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined);
  } catch (error) {
    throw new EwisError("invalid_argument", `could not read the identity provider's discovery document at ${settings.issuer.href}: ${(error as Error).message}`);
  }
  return { config, redirectUri: new URL("auth/callback", settings.publicUrl).href, sessionHours: settings.sessionHours };
}

/** The sign-in under way, kept in the login cookie for ten minutes. */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}
const PENDING_MS = 10 * 60_000;

function pendingOf(value: string | undefined): PendingSignIn | undefined {
  if (value === undefined) return undefined;
  try {
    const p = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<PendingSignIn>;
    return typeof p.state === "string" && typeof p.nonce === "string" && typeof p.verifier === "string" ? (p as PendingSignIn) : undefined;
  } catch {
    return undefined;
  }
}

/** The check of the authorization response that failed, in a word for the log; never a value of it. */
function failureOf(error: unknown): string {
  const e = error as { code?: unknown; error?: unknown; name?: unknown };
  if (typeof e?.error === "string") return `provider:${e.error}`.slice(0, 80);
  if (typeof e?.code === "string") return e.code.slice(0, 80);
  return typeof e?.name === "string" ? e.name : "unknown";
}

/**
 * `/auth/login`, `/auth/callback` and `/auth/logout`: the authorization code flow with PKCE,
 * state and nonce. The pages learn of the outcome from `../index.html?signin_error=…`, a fixed
 * word, so nothing the provider said about the person reaches a URL, a log or a page.
 */
export function oidcRoutes(sso: SingleSignOn, stores: Stores, cookies: SignInCookies, log: LogSink, now: () => Date): express.Router {
  const router = express.Router();
  const line = (outcome: "signed_in" | "signed_out" | "unknown_user" | "disabled" | "failed", user: number | null, reason?: string) =>
    log({ type: "sign_in", time: now().toISOString(), outcome, user, ...(reason ? { reason } : {}) });
  const back = (res: Response, error?: string) => res.redirect(303, error ? `../index.html?signin_error=${error}` : "../index.html");

  router.get("/login", tagRoute("/auth/login"), async (_req, res) => {
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(sso.config, {
      redirect_uri: sso.redirectUri,
      scope: "openid email profile",
      response_type: "code",
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    res.cookie(cookies.login, Buffer.from(JSON.stringify(pending)).toString("base64url"), cookieOptions(cookies, PENDING_MS));
    res.set("Cache-Control", "no-store").redirect(303, url.href);
  });

  router.get("/callback", tagRoute("/auth/callback"), async (req: Request, res) => {
    const pending = pendingOf(loginCookieOf(req, cookies));
    // Used once: a second trip back with the same cookie finds nothing.
    res.clearCookie(cookies.login, clearedCookie(cookies));
    res.set("Cache-Control", "no-store");
    if (!pending) {
      line("failed", null, "no_sign_in_under_way");
      return back(res, "failed");
    }
    const current = new URL(sso.redirectUri);
    current.search = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
    let claims: oidc.IDToken;
    try {
      const tokens = await oidc.authorizationCodeGrant(sso.config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const found = tokens.claims();
      if (!found) throw new Error("no ID token");
      claims = found;
    } catch (error) {
      line("failed", null, failureOf(error));
      return back(res, "failed");
    }
    const started = await startSession(
      stores,
      {
        subject: claims.sub,
        email: typeof claims.email === "string" ? claims.email : undefined,
        emailVerified: typeof claims.email_verified === "boolean" ? claims.email_verified : undefined,
      },
      now(),
      sso.sessionHours,
    );
    if (!started.ok) {
      line(started.reason, null);
      return back(res, started.reason);
    }
    // The session this browser held before, if any, ends here: its cookie is being replaced.
    const replaced = sessionCookieOf(req, cookies);
    if (replaced !== undefined) await endSession(stores.sessions, replaced, now());
    line("signed_in", started.check.principal.userId);
    // No Max-Age: the cookie goes when the browser closes (a shared school computer), and the
    // server ends the session at its expiry whatever the browser keeps.
    res.cookie(cookies.session, started.session, cookieOptions(cookies));
    back(res);
  });

  router.post("/logout", tagRoute("/auth/logout"), async (req, res) => {
    const session = sessionCookieOf(req, cookies);
    if (session !== undefined) {
      if (!csrfMatches(session, req.get("x-csrf-token"))) throw new EwisError("forbidden", "sign-out needs the page's CSRF token in X-CSRF-Token");
      const check = await sessionOf(stores.sessions, session, now());
      if (await endSession(stores.sessions, session, now())) line("signed_out", check.ok ? check.principal.userId : null);
    }
    res.clearCookie(cookies.session, clearedCookie(cookies));
    res.status(204).end();
  });
  return router;
}
