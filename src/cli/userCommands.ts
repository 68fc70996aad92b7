import { addUser, disableUser } from "../app/users.ts";
import type { Role } from "../core/index.ts";
import { csvField } from "../io/csvCell.ts";
import { withStores } from "../store/openStores.ts";
import type { UserRecord } from "../store/userStore.ts";
import { scopeOf } from "./scopeOptions.ts";

const existing = { mustExist: true };

export async function userAddCommand(
  options: { db: string; email?: string; subject?: string; role: string; name: string; scope: string[]; school: string[]; district: string[]; grantStudents?: boolean },
  log: (line: string) => void,
  now: Date = new Date(),
): Promise<void> {
  const { schools, districts } = scopeOf(options);
  const grant = { name: options.name, role: options.role as Role, schools, districts, studentGrant: options.grantStudents === true };
  const id = await withStores(options.db, existing, ({ users }) => addUser(users, { subject: options.subject, email: options.email, grant }, now));
  log(`user ${id} (${options.name}, ${options.role}) added; they sign in through the identity provider`);
}

const scopeText = (u: UserRecord): string =>
  [...u.districts.map((d) => `district:${d}`), ...u.schools.map((s) => `school:${s}`), ...(u.role === "state_admin" ? ["state"] : []), ...(u.student_grant ? ["students"] : [])].join(" ");

/** Every user, oldest first. */
export async function userListCommand(options: { db: string }, log: (line: string) => void): Promise<void> {
  const users = await withStores(options.db, existing, (stores) => stores.users.listUsers());
  log("id,name,email,subject,role,scope,created,disabled");
  for (const u of users) {
    log([String(u.id), csvField(u.name), csvField(u.email ?? ""), csvField(u.subject ?? ""), u.role, csvField(scopeText(u)), u.created_at, u.disabled_at ?? ""].join(","));
  }
}

export async function userDisableCommand(options: { db: string; id: number }, log: (line: string) => void, now: Date = new Date()): Promise<void> {
  const { user, disabledNow } = await withStores(options.db, existing, ({ users }) => disableUser(users, options.id, now));
  log(disabledNow ? `user ${user.id} (${user.name}, ${user.role}) disabled; they sign in to nothing from now on` : `user ${user.id} (${user.name}, ${user.role}) was already disabled on ${user.disabled_at}`);
}
