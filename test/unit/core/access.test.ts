import { describe, expect, it } from "vitest";
import { checkGrant, inScope, rollupScope, studentScope, tokenCheck, tokenExpiry, tokenState, type Principal, type StoredToken, type TokenGrant } from "../../../src/core/index.ts";
import { caught } from "../../support/caught.ts";

const principal = (role: Principal["role"], scope: Partial<Principal> = {}): Principal => ({ tokenId: 1, userId: null, name: "x", role, districts: [], schools: [], studentGrant: false, ...scope });

describe("student and rollup scope", () => {
  it("gives counselors and school admins their schools, district admins their districts, state admins students only with a grant", () => {
    const counselor = studentScope(principal("counselor", { schools: ["S1", "S2"] }))!;
    expect(inScope(counselor, { district_id: "D1", school_id: "S2" })).toBe(true);
    expect(inScope(counselor, { district_id: "D1", school_id: "S3" })).toBe(false);
    expect(inScope(counselor, { district_id: "D1", school_id: "" })).toBe(false); // the district row is not the counselor's
    const district = studentScope(principal("district_admin", { districts: ["D1"] }))!;
    expect(inScope(district, { district_id: "D1", school_id: "S9" })).toBe(true);
    expect(inScope(district, { district_id: "D2", school_id: "S1" })).toBe(false);
    expect(studentScope(principal("state_admin"))).toBeUndefined();
    expect(studentScope(principal("state_admin", { studentGrant: true }))).toEqual({ all: true });
    expect(rollupScope(principal("state_admin"))).toEqual({ all: true });
    expect(rollupScope(principal("school_admin", { schools: ["S1"] }))).toEqual({ all: false, districts: [], schools: ["S1"] });
  });
});

describe("checkGrant", () => {
  const grant = (g: Partial<TokenGrant>): TokenGrant => ({ name: "Ms. Rivera", role: "counselor", districts: [], schools: ["S1"], studentGrant: false, ...g });
  it("accepts a role with the scope it needs and refuses one without, saying which", () => {
    expect(checkGrant(grant({}))).toEqual(grant({}));
    expect(caught(() => checkGrant(grant({ schools: [] }))).message).toMatch(/counselor token needs one or more --school/);
    expect(caught(() => checkGrant(grant({ role: "school_admin", schools: ["S1", "S2"] }))).message).toMatch(/exactly one --school/);
    expect(caught(() => checkGrant(grant({ role: "district_admin", schools: [], districts: [] }))).message).toMatch(/--district/);
    expect(caught(() => checkGrant(grant({ role: "state_admin", schools: ["S1"] }))).message).toMatch(/state-wide/);
    expect(caught(() => checkGrant(grant({ studentGrant: true }))).message).toMatch(/only for state_admin/);
    expect(caught(() => checkGrant(grant({ name: "" }))).message).toMatch(/needs a name/);
  });
});

describe("tokenState", () => {
  const now = new Date("2026-12-03T08:00:00Z");
  it("is revoked once revoked, expired from its expiry instant on, active before, and fails closed on an unreadable expiry", () => {
    expect(tokenState({ expires_at: "2026-12-03T08:00:01.000Z", revoked_at: null }, now)).toEqual({ state: "active" });
    expect(tokenState({ expires_at: "2026-12-03T08:00:00.000Z", revoked_at: null }, now)).toEqual({ state: "expired", at: "2026-12-03T08:00:00.000Z" });
    expect(tokenState({ expires_at: "2026-12-03 07:59:59", revoked_at: null }, now).state).toBe("expired"); // SQLite's UTC form
    expect(tokenState({ expires_at: "2026-12-03 08:00:01", revoked_at: null }, now).state).toBe("active");
    expect(tokenState({ expires_at: "soon", revoked_at: null }, now).state).toBe("expired");
    expect(tokenState({ expires_at: null, revoked_at: null }, now)).toEqual({ state: "active" });
    expect(tokenState({ expires_at: "2027-01-01T00:00:00.000Z", revoked_at: "2026-11-01T00:00:00.000Z" }, now)).toEqual({ state: "revoked", at: "2026-11-01T00:00:00.000Z" });
  });

  it("expires a token the given number of days after it is made, 1 to 366", () => {
    expect(tokenExpiry(now, 90)).toBe("2027-03-03T08:00:00.000Z");
    expect(caught(() => tokenExpiry(now, 0)).message).toMatch(/1 to 366 days, got 0/);
    expect(caught(() => tokenExpiry(now, 367)).message).toMatch(/got 367/);
  });
});

describe("tokenCheck", () => {
  const now = new Date("2026-12-03T08:00:00Z");
  const stored = (t: Partial<StoredToken> = {}): StoredToken => ({
    id: 7, name: "Ms. Rivera", role: "counselor", districts: [], schools: ["S1"], student_grant: false, expires_at: "2027-01-01T00:00:00.000Z", revoked_at: null, ...t,
  });
  it("opens the principal a live token names, and nothing for no token, an unknown role, a revoked or an expired one", () => {
    expect(tokenCheck(stored(), now)).toEqual({ ok: true, principal: { tokenId: 7, userId: null, name: "Ms. Rivera", role: "counselor", districts: [], schools: ["S1"], studentGrant: false } });
    expect(tokenCheck(undefined, now)).toEqual({ ok: false, reason: "unknown" });
    expect(tokenCheck(stored({ role: "superuser" }), now)).toEqual({ ok: false, reason: "unknown" });
    expect(tokenCheck(stored({ revoked_at: "2026-12-01T00:00:00.000Z" }), now)).toEqual({ ok: false, reason: "revoked", at: "2026-12-01T00:00:00.000Z" });
    expect(tokenCheck(stored({ expires_at: "2026-12-02T00:00:00.000Z" }), now)).toEqual({ ok: false, reason: "expired", at: "2026-12-02T00:00:00.000Z" });
  });
});
