import { createHash, randomBytes } from "node:crypto";
import type { RequestHandler, Response } from "express";
import { EwisError, parseStoredTime, type Principal, type SessionCheck } from "../core/index.ts";
import { csrfMatches, sessionOf } from "../app/sessions.ts";
import { signIn } from "../app/tokens.ts";
import { InFlight } from "./inFlight.ts";
import type { TokenCheck } from "../core/index.ts";
import type { Stores } from "../store/stores.ts";
import type { TokenStore } from "../store/tokenStore.ts";
import { sessionCookieOf, type SignInCookies } from "./signInCookies.ts";

/** Tokens are stored only as their SHA-256: a copy of the database holds no usable token. */
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

/** 32 random bytes, prefixed so a leaked token is recognisable in logs and secret scanners. */
export const newToken = (): string => `ewis_${randomBytes(32).toString("base64url")}`;

/** The UTC day of a stored instant, or "an unreadable date" for a damaged one (refused all the same). */
function dayOf(stored: string): string {
  const t = parseStoredTime(stored);
  return Number.isNaN(t) ? "an unreadable date" : new Date(t).toISOString().slice(0, 10);
}

/** Why a token is refused, in words for its holder: which, and when it expired; nothing else. */
function refusal(check: Exclude<TokenCheck, { ok: true }>): string {
  switch (check.reason) {
    case "unknown":
      return "that token is not valid: check it was copied whole, or ask for a new one";
    case "revoked":
      return "that token was revoked; ask for a new one";
    case "expired":
      return `that token expired on ${dayOf(check.at)}; ask for a new one`;
  }
}

/** Why a session is refused, in words for the person: sign in again. */
function sessionRefusal(check: Exclude<SessionCheck, { ok: true }>): string {
  switch (check.reason) {
    case "expired":
      return "your sign-in has expired; sign in again";
    case "disabled":
      return "your account is disabled; ask your district's ewis administrator";
    default:
      return "you are not signed in (you signed out, or the session ended); sign in again";
  }
}

/**
 * Who is calling: a script or the batch with an API token (`Authorization`), else a person with
 * the session cookie of a sign-in. A request with both is judged by its token: the header is
 * what the caller chose to send.
 */
export function callerAuth(stores: Stores, cookies: SignInCookies, now: () => Date, inFlight: InFlight): RequestHandler {
  const bearer = bearerAuth(stores.tokens, now, inFlight);
  return async (req, res, next) => {
    const session = sessionCookieOf(req, cookies);
    if (req.get("authorization") !== undefined || session === undefined) return bearer(req, res, next);
    const check = await inFlight.run(() => sessionOf(stores.sessions, session, now()));
    if (!check.ok) throw new EwisError("unauthorized", sessionRefusal(check));
    // A cookie goes with every request the browser makes, whichever site asked for it: a
    // change needs the token only our pages can read (from /me), as a token's caller needs its token.
    if (!["GET", "HEAD", "OPTIONS"].includes(req.method) && !csrfMatches(session, req.get("x-csrf-token"))) {
      throw new EwisError("forbidden", "a change made while signed in needs the page's CSRF token in X-CSRF-Token");
    }
    res.locals.principal = check.principal;
    res.locals.session = session;
    next();
  };
}

/** The session cookie a request was authenticated with, if it was (not by a token). */
export const sessionOfCaller = (res: Response): string | undefined => res.locals.session as string | undefined;

/**
 * `Authorization: Bearer <token>`, exactly one. Two Authorization headers are refused rather
 * than one picked: Node keeps the first, a proxy in front may keep the last. `now` is the
 * clock expiries are judged by (tests move it).
 */
export function bearerAuth(tokens: TokenStore, now: () => Date = () => new Date(), inFlight = new InFlight()): RequestHandler {
  return async (req, res, next) => {
    let headers = 0;
    for (let k = 0; k < req.rawHeaders.length; k += 2) if (req.rawHeaders[k].toLowerCase() === "authorization") headers++;
    if (headers > 1) throw new EwisError("unauthorized", "send one Authorization header, not several");
    const header = req.get("authorization") ?? "";
    // The scheme's name is case-insensitive (RFC 9110 §11.1); the token is not, and its
    // character class is the same either way.
    const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/i.exec(header);
    if (!match) throw new EwisError("unauthorized", header === "" ? "sign in, or send an API token as `Authorization: Bearer <token>`" : "send an API token as `Authorization: Bearer <token>`");
    const check = await inFlight.run(() => signIn(tokens, tokenMint, match[1], now()));
    if (!check.ok) throw new EwisError("unauthorized", refusal(check));
    res.locals.principal = check.principal;
    next();
  };
}

export const tokenMint = { newToken, hashToken };

export const principalOf = (res: Response): Principal => res.locals.principal as Principal;
