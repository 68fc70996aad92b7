import { describe, expect, it } from "vitest";
import { compareTerms, type TermPlace } from "../../../src/core/index.ts";

const term = (school_year: number, label: string, seq: number): TermPlace => ({ school_year, label, seq });
const order = (terms: TermPlace[]) => [...terms].sort(compareTerms).map((t) => `${t.school_year} ${t.label}`);

describe("compareTerms", () => {
  it("orders by school year, then fall, winter, spring, summer, whatever order they were published in", () => {
    const published = [term(2027, "spring", 1), term(2026, "summer", 2), term(2027, "fall", 3), term(2026, "fall", 4), term(2027, "winter", 5)];
    expect(order(published)).toEqual(["2026 fall", "2026 summer", "2027 fall", "2027 winter", "2027 spring"]);
  });

  it("puts other labels after the four seasons, in the order they were first published; labels ignore case", () => {
    const published = [term(2027, "Q3", 7), term(2027, "Spring", 2), term(2027, "q1", 5), term(2027, "Autumn", 9)];
    expect(order(published)).toEqual(["2027 Autumn", "2027 Spring", "2027 q1", "2027 Q3"]);
  });
});
