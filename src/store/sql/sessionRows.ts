import type { StoredSession } from "../../core/index.ts";
import type { SessionStore } from "../sessionStore.ts";
import { grantOf } from "./rows.ts";
import { firstRow, type SqlRunner } from "./sqlRunner.ts";

/**
 * `SessionStore` in the SQL both stores speak. The sessions and the users may live on two
 * connections (SQLite keeps sessions in a file of their own, see `sqlite/sessionFile.ts`), so
 * a session is read, then its user: never joined.
 */
export class SqlSessionStore implements SessionStore {
  constructor(
    private readonly sessions: SqlRunner,
    private readonly users: SqlRunner,
  ) {}

  async createSession(hash: string, userId: number, createdAt: string, expiresAt: string): Promise<void> {
    await this.sessions.run("INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", [hash, userId, createdAt, expiresAt]);
  }

  async sessionByHash(hash: string): Promise<StoredSession | undefined> {
    const session = await firstRow(this.sessions, "SELECT user_id, expires_at, ended_at FROM sessions WHERE hash = ?", [hash]);
    if (!session) return undefined;
    const user = await firstRow(this.users, "SELECT id, name, role, districts, schools, student_grant, disabled_at FROM users WHERE id = ?", [session.user_id]);
    if (!user) return undefined;
    return {
      expires_at: session.expires_at as string,
      ended_at: (session.ended_at as string | null) ?? null,
      user: { id: user.id as number, ...grantOf(user), disabled_at: (user.disabled_at as string | null) ?? null },
    };
  }

  async endSession(hash: string, at: string): Promise<boolean> {
    return (await this.sessions.run("UPDATE sessions SET ended_at = ? WHERE hash = ? AND ended_at IS NULL", [at, hash])) === 1;
  }
}
