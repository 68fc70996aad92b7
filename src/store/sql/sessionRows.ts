import type { StoredSession } from "../../core/index.ts";
import type { SessionStore } from "../sessionStore.ts";
import { grantOf } from "./rows.ts";
import { firstRow, type SqlRunner } from "./sqlRunner.ts";

/** `SessionStore` in the SQL both stores speak. */
export class SqlSessionStore implements SessionStore {
  constructor(private readonly sql: SqlRunner) {}

  async createSession(hash: string, userId: number, createdAt: string, expiresAt: string): Promise<void> {
    await this.sql.run("INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", [hash, userId, createdAt, expiresAt]);
  }

  async sessionByHash(hash: string): Promise<StoredSession | undefined> {
    const row = await firstRow(
      this.sql,
      `SELECT s.expires_at, s.ended_at, u.id, u.name, u.role, u.districts, u.schools, u.student_grant, u.disabled_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?`,
      [hash],
    );
    if (!row) return undefined;
    return {
      expires_at: row.expires_at as string,
      ended_at: (row.ended_at as string | null) ?? null,
      user: { id: row.id as number, ...grantOf(row), disabled_at: (row.disabled_at as string | null) ?? null },
    };
  }

  async endSession(hash: string, at: string): Promise<boolean> {
    return (await this.sql.run("UPDATE sessions SET ended_at = ? WHERE hash = ? AND ended_at IS NULL", [at, hash])) === 1;
  }
}
