import type { StoredToken, TokenGrant } from "../core/index.ts";

/** A token as its issuer sees it: who, what, when; never the token or its hash. */
export interface TokenRecord extends StoredToken {
  created_at: string;
}

/**
 * API tokens by their hash. The store finds rows; what a token opens at a given moment is
 * decided in core (`tokenCheck`), the same for every store.
 */
export interface TokenStore {
  /** Stores a token's hash and grant; `expiresAt` null for a token that lasts until revoked. */
  createToken(grant: TokenGrant, hash: string, createdAt: string, expiresAt: string | null): Promise<number>;
  tokenByHash(hash: string): Promise<TokenRecord | undefined>;
  /** Every token ever made, oldest first: never its hash. */
  listTokens(): Promise<TokenRecord[]>;
  /** Revokes a token from `at` on (an already revoked one keeps its first date); undefined if there is no such token. */
  revokeToken(id: number, at: string): Promise<{ token: TokenRecord; revokedNow: boolean } | undefined>;
}
