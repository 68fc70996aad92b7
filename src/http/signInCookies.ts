import { parse } from "cookie";
import type { CookieOptions, Request } from "express";

/**
 * The two cookies of a browser sign-in: the session, and the short-lived record of a sign-in
 * under way (its state, nonce and PKCE verifier) between leaving for the identity provider and
 * coming back. Both are HttpOnly, so no script, ours or injected, reads them, and SameSite=Lax,
 * so another site's form cannot post with them. Behind HTTPS they are Secure and carry the
 * `__Host-` prefix: the browser then refuses them from plain HTTP or for another domain.
 */
export interface SignInCookies {
  session: string;
  login: string;
  secure: boolean;
}

export function signInCookies(secure: boolean): SignInCookies {
  const prefix = secure ? "__Host-" : "";
  return { session: `${prefix}ewis_session`, login: `${prefix}ewis_login`, secure };
}

/** What the browser is told to keep: for `maxAgeMs` (Express takes milliseconds), else until it closes. */
export const cookieOptions = (cookies: SignInCookies, maxAgeMs?: number): CookieOptions => ({
  httpOnly: true,
  sameSite: "lax",
  secure: cookies.secure,
  path: "/",
  ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
});

/** Clearing a cookie needs the attributes it was set with, or the browser keeps it. */
export const clearedCookie = (cookies: SignInCookies): CookieOptions => ({ httpOnly: true, sameSite: "lax", secure: cookies.secure, path: "/" });

function cookieOf(req: Request, name: string): string | undefined {
  const header = req.get("cookie");
  if (header === undefined) return undefined;
  const value = parse(header)[name];
  return value === undefined || value === "" ? undefined : value;
}

export const sessionCookieOf = (req: Request, cookies: SignInCookies) => cookieOf(req, cookies.session);
export const loginCookieOf = (req: Request, cookies: SignInCookies) => cookieOf(req, cookies.login);
