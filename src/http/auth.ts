import { createHash, randomBytes } from "node:crypto";
import type { RequestHandler, Response } from "express";
import { EwisError, parseStoredTime, type Principal } from "../core/index.ts";
import { signIn } from "../app/tokens.ts";
import { InFlight } from "./inFlight.ts";
import type { TokenCheck } from "../core/index.ts";
import type { TokenStore } from "../store/tokenStore.ts";

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
    if (!match) throw new EwisError("unauthorized", "send an API token as `Authorization: Bearer <token>`");
    const check = await inFlight.run(() => signIn(tokens, tokenMint, match[1], now()));
    if (!check.ok) throw new EwisError("unauthorized", refusal(check));
    res.locals.principal = check.principal;
    next();
  };
}

export const tokenMint = { newToken, hashToken };

export const principalOf = (res: Response): Principal => res.locals.principal as Principal;
