import { describe, expect, it } from "vitest";
import { openStores } from "../../src/store/openStores.ts";
import type { NewPlan } from "../../src/store/caseworkStore.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * The casework store's contract, on SQLite and a real PostgreSQL server alike: the catalog,
 * plans changed only at the version they were read at, an append-only history, notes by kind,
 * and a purge that is one transaction.
 */
const plan = (student_id: string, over: Partial<NewPlan> = {}): NewPlan => ({
  student_id,
  district_id: "D1",
  school_id: "D1-E1",
  type_id: "mentoring",
  owner: "A. Rivera",
  goal: "attendance above 90 % by spring",
  starts_on: "2026-09-14",
  planned_end: "2027-01-29",
  check_in_days: 14,
  created_at: "2026-09-14T15:00:00.000Z",
  created_by: "A. Rivera (counselor)",
  ...over,
});

describe.each(storeKinds)("the %s casework store", (kind) => {
  const maker = storeMaker(kind);

  it("keeps a catalog whose retired types stay readable", async () => {
    const stores = await openStores(await maker.fresh("catalog"));
    try {
      const { casework } = stores;
      expect(await casework.addType({ id: "mentoring", label: "Attendance mentoring" }, "2026-08-01T00:00:00.000Z")).toBe(true);
      expect(await casework.addType({ id: "tutoring", label: "Tutoring" }, "2026-08-01T00:00:00.000Z")).toBe(true);
      expect(await casework.addType({ id: "tutoring", label: "Again" }, "2026-08-02T00:00:00.000Z")).toBe(false);
      expect(await casework.retireType("tutoring", "2026-12-01T00:00:00.000Z")).toBe(true);
      expect(await casework.retireType("tutoring", "2026-12-02T00:00:00.000Z")).toBe(false);
      expect(await casework.listTypes()).toEqual([
        { id: "mentoring", label: "Attendance mentoring", retired_at: null },
        { id: "tutoring", label: "Tutoring", retired_at: "2026-12-01T00:00:00.000Z" },
      ]);
    } finally {
      await stores.close();
    }
  });

  it("changes a plan only at the version it was read at, and keeps every change in its history", async () => {
    const stores = await openStores(await maker.fresh("plans"));
    try {
      const { casework } = stores;
      await casework.addType({ id: "mentoring", label: "Attendance mentoring" }, "2026-08-01T00:00:00.000Z");
      const made = await casework.createPlan(plan("S1"), { at: "2026-09-14T15:00:00.000Z", by: "A. Rivera (counselor)", detail: { goal: "attendance above 90 % by spring" } });
      expect(made).toMatchObject({ student_id: "S1", version: 1, last_check_in_on: null, ended_on: null, outcome: null });
      // Two people read version 1; the first change wins, the second is refused, not merged over it.
      const first = await casework.changePlan(made.id, 1, { last_check_in_on: "2026-09-28" }, { at: "2026-09-28T10:00:00.000Z", by: "A. Rivera (counselor)", kind: "checked_in", detail: { note: "came 4 of 5 days" } });
      expect(first).toMatchObject({ version: 2, last_check_in_on: "2026-09-28" });
      expect(await casework.changePlan(made.id, 1, { goal: "something else" }, { at: "2026-09-28T10:01:00.000Z", by: "B. Chen (school_admin)", kind: "changed", detail: { goal: "something else" } })).toBe("conflict");
      expect(await casework.changePlan(99_999, 1, { goal: "x" }, { at: "2026-09-28T10:01:00.000Z", by: "x", kind: "changed", detail: {} })).toBeUndefined();
      const ended = await casework.changePlan(made.id, 2, { ended_on: "2027-01-29", outcome: "goal_met" }, { at: "2027-01-29T10:00:00.000Z", by: "A. Rivera (counselor)", kind: "ended", detail: { outcome: "goal_met" } });
      expect(ended).toMatchObject({ version: 3, ended_on: "2027-01-29", outcome: "goal_met", goal: "attendance above 90 % by spring" });
      expect((await casework.eventsOf(made.id)).map((e) => [e.kind, e.by, e.detail])).toEqual([
        ["assigned", "A. Rivera (counselor)", { goal: "attendance above 90 % by spring" }],
        ["checked_in", "A. Rivera (counselor)", { note: "came 4 of 5 days" }],
        ["ended", "A. Rivera (counselor)", { outcome: "goal_met" }],
      ]);
      const other = await casework.createPlan(plan("S2"), { at: "2026-09-15T15:00:00.000Z", by: "x", detail: {} });
      expect((await casework.plansOf(["S1", "S2", "S3"])).map((p) => p.id)).toEqual([other.id, made.id]);
      // A plan of a type not in the catalog is refused by the store itself, and nothing is left of it.
      await expect(casework.createPlan(plan("S3", { type_id: "nowhere" }), { at: "t", by: "x", detail: {} })).rejects.toThrow();
      expect(await casework.plansOf(["S3"])).toEqual([]);
    } finally {
      await stores.close();
    }
  });

  it("keeps notes by kind, counts them, and purges old records whole in one transaction", async () => {
    const stores = await openStores(await maker.fresh("notes"));
    try {
      const { casework } = stores;
      await casework.addType({ id: "mentoring", label: "Attendance mentoring" }, "2020-08-01T00:00:00.000Z");
      const note = (kind: "general" | "restricted", text: string, written_at: string) =>
        casework.addNote({ student_id: "S1", district_id: "D1", school_id: "D1-E1", kind, text, written_by: "A. Rivera (counselor)", written_at });
      await note("general", "met with family", "2020-10-01T00:00:00.000Z");
      await note("restricted", "health matter", "2026-10-02T00:00:00.000Z");
      await note("general", "improving", "2026-10-03T00:00:00.000Z");
      expect((await casework.notesOf("S1", ["general"])).map((n) => n.text)).toEqual(["improving", "met with family"]);
      expect((await casework.notesOf("S1", ["general", "restricted"])).map((n) => n.kind)).toEqual(["general", "restricted", "general"]);
      expect(await casework.notesOf("S1", [])).toEqual([]);
      expect(await casework.noteCounts("S1")).toEqual({ general: 2, restricted: 1 });

      const old = await casework.createPlan(plan("S1", { starts_on: "2020-09-14" }), { at: "2020-09-14T00:00:00.000Z", by: "x", detail: {} });
      await casework.changePlan(old.id, 1, { ended_on: "2021-01-10", outcome: "not_met" }, { at: "2021-01-10T00:00:00.000Z", by: "x", kind: "ended", detail: {} });
      const open = await casework.createPlan(plan("S1", { starts_on: "2020-09-14" }), { at: "2020-09-14T00:00:00.000Z", by: "x", detail: {} });
      // Retention before school year 2023–24 (day 2023-07-01), through the store's one transaction.
      expect(await stores.terms.purgeBefore({ at: "2026-11-01T00:00:00.000Z", before_year: 2024 })).toMatchObject({ terms: 0, plans: 1, notes: 1 });
      // An open plan is kept however old: someone is still working on it.
      expect((await casework.plansOf(["S1"])).map((p) => p.id)).toEqual([open.id]);
      expect(await casework.eventsOf(old.id)).toEqual([]);
      expect(await casework.noteCounts("S1")).toEqual({ general: 1, restricted: 1 });
    } finally {
      await stores.close();
    }
  });
});
