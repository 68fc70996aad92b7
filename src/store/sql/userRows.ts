import type { NewUser, UserRecord, UserStore } from "../userStore.ts";
import { grantOf } from "./rows.ts";
import { firstRow, type Row, type SqlRunner } from "./sqlRunner.ts";

function toUser(r: Row): UserRecord {
  return {
    id: r.id as number,
    subject: (r.subject as string | null) ?? null,
    email: (r.email as string | null) ?? null,
    ...grantOf(r),
    created_at: r.created_at as string,
    disabled_at: (r.disabled_at as string | null) ?? null,
  };
}

/** `UserStore` in the SQL both stores speak. */
export class SqlUserStore implements UserStore {
  constructor(private readonly sql: SqlRunner) {}

  async addUser({ subject, email, grant }: NewUser, createdAt: string): Promise<number | undefined> {
    // The unique indexes decide; a clash inserts nothing rather than failing the statement.
    const row = await firstRow(
      this.sql,
      `INSERT INTO users (subject, email, name, role, districts, schools, student_grant, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING id`,
      [subject, email, grant.name, grant.role, JSON.stringify(grant.districts), JSON.stringify(grant.schools), grant.studentGrant ? 1 : 0, createdAt],
    );
    return row ? (row.id as number) : undefined;
  }

  async findUser({ subject, email }: { subject?: string; email?: string }): Promise<UserRecord | undefined> {
    const bySubject = subject === undefined ? undefined : await firstRow(this.sql, "SELECT * FROM users WHERE subject = ?", [subject]);
    const row = bySubject ?? (email === undefined ? undefined : await firstRow(this.sql, "SELECT * FROM users WHERE email = ?", [email]));
    return row && toUser(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.sql.rows("SELECT * FROM users ORDER BY id")).map(toUser);
  }

  async claimSubject(id: number, subject: string): Promise<boolean> {
    const row = await firstRow(this.sql, "UPDATE users SET subject = ? WHERE id = ? AND subject IS NULL RETURNING id", [subject, id]);
    return row !== undefined;
  }

  async disableUser(id: number, at: string): Promise<{ user: UserRecord; disabledNow: boolean } | undefined> {
    const changes = await this.sql.run("UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", [at, id]);
    const row = await firstRow(this.sql, "SELECT * FROM users WHERE id = ?", [id]);
    return row && { user: toUser(row), disabledNow: changes === 1 };
  }
}
