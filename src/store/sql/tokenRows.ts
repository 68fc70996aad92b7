import type { TokenGrant } from "../../core/index.ts";
import type { TokenRecord, TokenStore } from "../tokenStore.ts";
import { toTokenRecord } from "./rows.ts";
import { firstRow, type SqlRunner } from "./sqlRunner.ts";

/** `TokenStore` in the SQL both stores speak. */
export class SqlTokenStore implements TokenStore {
  constructor(private readonly sql: SqlRunner) {}

  async createToken(grant: TokenGrant, hash: string, createdAt: string, expiresAt: string | null): Promise<number> {
    const row = await firstRow(
      this.sql,
      "INSERT INTO tokens (name, role, districts, schools, student_grant, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      [grant.name, grant.role, JSON.stringify(grant.districts), JSON.stringify(grant.schools), grant.studentGrant ? 1 : 0, hash, createdAt, expiresAt],
    );
    return row!.id as number;
  }

  /** Found whatever its state, so a refusal can say why: revoked, expired or unknown. */
  async tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = await firstRow(this.sql, "SELECT * FROM tokens WHERE hash = ?", [hash]);
    return row && toTokenRecord(row);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.sql.rows("SELECT * FROM tokens ORDER BY id")).map(toTokenRecord);
  }

  async revokeToken(id: number, at: string): Promise<{ token: TokenRecord; revokedNow: boolean } | undefined> {
    const changes = await this.sql.run("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [at, id]);
    const row = await firstRow(this.sql, "SELECT * FROM tokens WHERE id = ?", [id]);
    return row && { token: toTokenRecord(row), revokedNow: changes === 1 };
  }
}
