import { addUser } from "../app/users.ts";
import { roles, type Role, type TokenGrant } from "../core/index.ts";
import { startDemoIdentityProvider, type DemoIdentityProvider } from "../demo/identityProvider.ts";
import type { Stores } from "../store/stores.ts";

/**
 * The demo's four people, one per role, in the first school and district of the latest term:
 * what `serve --demo-tokens` gives tokens to and `serve --demo-sign-in` registers as users.
 * Undefined when no term is published yet.
 */
export async function demoGrants(stores: Stores): Promise<Record<Role, TokenGrant> | undefined> {
  const term = await stores.terms.latestTerm();
  if (!term) return undefined;
  const place = (await stores.terms.places(term.id, { all: true })).find((p) => p.school_id !== "");
  if (!place) return undefined;
  const grant = (role: Role, name: string, schools: string[], districts: string[]): TokenGrant => ({ role, name, schools, districts, studentGrant: false });
  return {
    counselor: grant("counselor", "demo counselor", [place.school_id], []),
    school_admin: grant("school_admin", "demo school admin", [place.school_id], []),
    district_admin: grant("district_admin", "demo district admin", [], [place.district_id]),
    state_admin: grant("state_admin", "demo state admin", [], []),
  };
}

/** The identity provider's subject of the demo's person in a role: `demo-school-admin`. */
export const demoSubject = (role: Role) => `demo-${role.replace("_", "-")}`;

const scopeWords = (g: TokenGrant) => (g.role === "state_admin" ? "the state" : g.schools.length ? `school ${g.schools.join(", ")}` : `district ${g.districts.join(", ")}`);

/**
 * Registers the demo's people as users (once: a store served again keeps them, and a person an
 * administrator disabled stays disabled) and starts a demo identity provider on this machine
 * that signs each of them in, for the ewis at `publicUrl`.
 */
export async function startDemoSignIn(stores: Stores, publicUrl: URL, host: string, log: (line: string) => void): Promise<DemoIdentityProvider | undefined> {
  const grants = await demoGrants(stores);
  if (!grants) {
    log("no term is published yet: the demo sign-in has no one to sign in (run `ewis run-term` first)");
    return undefined;
  }
  for (const role of roles) {
    const subject = demoSubject(role);
    if (!(await stores.users.findUser({ subject }))) await addUser(stores.users, { subject, grant: grants[role] }, new Date());
  }
  const provider = await startDemoIdentityProvider({
    redirectUri: new URL("auth/callback", publicUrl).href,
    host,
    accounts: roles.map((role) => ({ subject: demoSubject(role), name: `${grants[role].name} (${scopeWords(grants[role])})` })),
  });
  log(`demo sign-in: open ${publicUrl.href}, choose "Sign in with your district account", and pick a person:`);
  for (const role of roles) log(`  ${role.padEnd(15)} ${grants[role].name}, ${scopeWords(grants[role])}`);
  log(`  (the demo identity provider is at ${provider.issuer.href}; it asks for no password)`);
  return provider;
}

/** The demo's catalog, when a store has none yet: what a district's would begin with. */
const demoInterventions = [
  { id: "attendance_mentoring", label: "Attendance mentoring" },
  { id: "tutoring", label: "Tutoring" },
  { id: "check_in_check_out", label: "Check-in/check-out" },
  { id: "family_meeting", label: "Family meeting" },
];

export async function ensureDemoCatalog(stores: Stores, log: (line: string) => void): Promise<void> {
  if ((await stores.casework.listTypes()).length > 0) return;
  for (const type of demoInterventions) await stores.casework.addType(type, new Date().toISOString());
  log(`demo interventions catalog: ${demoInterventions.map((t) => t.label).join(", ")} (\`ewis interventions\` manages it)`);
}
