import { createHash, randomBytes } from "node:crypto";
import type { RequestHandler, Response } from "express";
import { EwisError, type Principal } from "../core/index.ts";
import type { ScoreStore } from "../store/scoreStore.ts";

/** Tokens are stored only as their SHA-256: a copy of the database holds no usable token. */
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

/** 32 random bytes, prefixed so a leaked token is recognisable in logs and secret scanners. */
export const newToken = (): string => `ewis_${randomBytes(32).toString("base64url")}`;

export function bearerAuth(store: ScoreStore): RequestHandler {
  return (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header);
    if (!match) throw new EwisError("unauthorized", "send an API token as `Authorization: Bearer <token>`");
    const principal = store.principalFor(hashToken(match[1]));
    if (!principal) throw new EwisError("unauthorized", "that token is not valid (unknown or revoked)");
    res.locals.principal = principal;
    next();
  };
}

export const principalOf = (res: Response): Principal => res.locals.principal as Principal;
