import { describe, expect, it } from "vitest";
import { compareTerms, termNeighbours, termSeq, type TermPlace } from "../../../src/core/index.ts";

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

describe("termNeighbours", () => {
  const terms = [term(2027, "spring", 1), term(2026, "fall", 2), term(2027, "fall", 3), term(2026, "spring", 4)];
  const names = ({ previous, next }: { previous?: TermPlace; next?: TermPlace }) => [previous && `${previous.school_year} ${previous.label}`, next && `${next.school_year} ${next.label}`];

  it("gives the terms just before and after a place in calendar order, not publication order, skipping the place itself", () => {
    expect(names(termNeighbours(terms, term(2027, "fall", 3)))).toEqual(["2026 spring", "2027 spring"]);
    expect(names(termNeighbours(terms, term(2027, "winter", 5)))).toEqual(["2027 fall", "2027 spring"]); // a backfill between two
    expect(names(termNeighbours(terms, term(2026, "fall", 2)))).toEqual([undefined, "2026 spring"]);
    expect(names(termNeighbours(terms, term(2028, "fall", 6)))).toEqual(["2027 spring", undefined]);
    expect(names(termNeighbours([], term(2028, "fall", 1)))).toEqual([undefined, undefined]);
  });
});

describe("termSeq", () => {
  it("keeps a re-run term's place in publication order and puts a new one after every term there is", () => {
    const terms = [term(2027, "q1", 4), term(2026, "fall", 9), term(2027, "fall", 2)];
    expect(termSeq(terms, 2026, "fall")).toBe(9);
    expect(termSeq(terms, 2027, "q2")).toBe(10);
    expect(termSeq([], 2027, "fall")).toBe(1);
  });
});
