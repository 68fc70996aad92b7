import { describe, expect, it } from "vitest";
import { PageCache } from "../../../src/app/pageCache.ts";

const MB = 1 << 20;
const page = (mb: number, student: string) => ({ json: "x".repeat(mb * MB), students: [student] });

describe("PageCache", () => {
  it("serves a page by its key, with the students to audit", () => {
    const cache = new PageCache();
    cache.set("term 1|school E1|limit 500", { json: '{"rows":[]}', students: ["S1", "S2"] });
    expect(cache.get("term 1|school E1|limit 500")).toEqual({ json: '{"rows":[]}', students: ["S1", "S2"] });
    expect(cache.get("term 1|school E2|limit 500")).toBeUndefined();
  });

  it("stays within 64 MB by dropping the oldest pages first, and never keeps one over a quarter of that", () => {
    const cache = new PageCache();
    for (let k = 0; k < 6; k++) cache.set(`p${k}`, page(10, `S${k}`)); // 60 MB
    cache.set("p6", page(10, "S6")); // 70 MB would not fit: p0 goes
    expect(cache.get("p0")).toBeUndefined();
    expect(["p1", "p2", "p3", "p4", "p5", "p6"].every((k) => cache.get(k) !== undefined)).toBe(true);
    cache.set("huge", page(17, "S7"));
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("p1")).toBeDefined(); // a page too big to keep evicts nothing
  });
});
