import { describe, expect, it } from "vitest";
import { sessionCheck, sessionExpiry, userCheck, type SignInUser, type StoredSession } from "../../../src/core/index.ts";

const user: SignInUser = { id: 4, name: "A. Rivera", role: "counselor", districts: [], schools: ["D1-E1"], student_grant: false, disabled_at: null };
const session = (over: Partial<StoredSession> = {}): StoredSession => ({ expires_at: "2027-01-05T16:00:00.000Z", ended_at: null, user, ...over });
const at = new Date("2027-01-05T15:59:59.999Z");

describe("a session's check", () => {
  it("opens the user's principal until the instant it expires, and nothing from then on", () => {
    expect(sessionCheck(session(), at)).toEqual({ ok: true, principal: { tokenId: null, userId: 4, name: "A. Rivera", role: "counselor", districts: [], schools: ["D1-E1"], studentGrant: false } });
    expect(sessionCheck(session(), new Date("2027-01-05T16:00:00.000Z"))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses an ended session, a disabled user, a role ewis does not have, and a damaged expiry", () => {
    expect(sessionCheck(undefined, at)).toEqual({ ok: false, reason: "unknown" });
    expect(sessionCheck(session({ ended_at: "2027-01-05T12:00:00.000Z" }), at)).toEqual({ ok: false, reason: "ended" });
    expect(sessionCheck(session({ user: { ...user, disabled_at: "2027-01-05T12:00:00.000Z" } }), at)).toEqual({ ok: false, reason: "disabled" });
    expect(sessionCheck(session({ user: { ...user, role: "janitor" } }), at)).toEqual({ ok: false, reason: "unknown_user" });
    expect(sessionCheck(session({ expires_at: "next tuesday" }), at)).toEqual({ ok: false, reason: "expired" });
    expect(userCheck(undefined)).toEqual({ ok: false, reason: "unknown_user" });
  });

  it("ends a session the given hours after it began", () => {
    expect(sessionExpiry(new Date("2027-01-05T08:00:00.000Z"), 8)).toBe("2027-01-05T16:00:00.000Z");
    expect(sessionExpiry(new Date("2027-01-05T08:00:00.000Z"), 168)).toBe("2027-01-12T08:00:00.000Z");
  });
});
