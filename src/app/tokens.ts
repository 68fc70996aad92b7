import { checkGrant, DEFAULT_TOKEN_DAYS, EwisError, tokenCheck, tokenExpiry, type TokenCheck, type TokenGrant } from "../core/index.ts";
import type { TokenRecord, TokenStore } from "../store/tokenStore.ts";

/** What makes and recognises a token; the HTTP layer supplies its format and hash. */
export interface TokenMint {
  newToken(): string;
  hashToken(token: string): string;
}

/**
 * Creates a token and returns it: the only time it exists outside its holder's hands. Only
 * its hash is stored. It expires `expiresInDays` after `now` (default `DEFAULT_TOKEN_DAYS`).
 */
export async function issueToken(tokens: TokenStore, mint: TokenMint, grant: TokenGrant, options: { now?: Date; expiresInDays?: number } = {}): Promise<string> {
  const now = options.now ?? new Date();
  const expiresAt = tokenExpiry(now, options.expiresInDays ?? DEFAULT_TOKEN_DAYS);
  const token = mint.newToken();
  await tokens.createToken(checkGrant(grant), mint.hashToken(token), now.toISOString(), expiresAt);
  return token;
}

/** The principal a presented token opens at `now`, or why it opens nothing. */
export async function signIn(tokens: TokenStore, mint: TokenMint, token: string, now: Date): Promise<TokenCheck> {
  return tokenCheck(await tokens.tokenByHash(mint.hashToken(token)), now);
}

/** Revokes a token by its id; an already revoked one keeps its first date. */
export async function revokeToken(tokens: TokenStore, id: number, now: Date): Promise<{ token: TokenRecord; revokedNow: boolean }> {
  const revoked = await tokens.revokeToken(id, now.toISOString());
  if (!revoked) throw new EwisError("not_found", `no token ${id}; \`ewis token list\` shows them`);
  return revoked;
}
