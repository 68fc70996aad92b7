/**
 * Terms of a school year run fall, winter, spring, summer; any other label comes after them,
 * in the order it was first published. "Previous term" for the change columns follows this
 * order, not the order runs happened to be made in (a backfilled spring is still before fall
 * of the next year, and spring of a year is after its fall).
 */
const labelRank: Record<string, number> = { fall: 1, autumn: 1, winter: 2, spring: 3, summer: 4 };

export interface TermPlace {
  school_year: number;
  label: string;
  /** Publication order, the tie-break between labels of the same rank. */
  seq: number;
}

export function compareTerms(a: TermPlace, b: TermPlace): number {
  const rank = (t: TermPlace) => labelRank[t.label.toLowerCase()] ?? 5;
  return a.school_year - b.school_year || rank(a) - rank(b) || a.seq - b.seq;
}
