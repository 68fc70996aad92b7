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

/**
 * The terms just before and after `place` in calendar order, among `terms` (the term at
 * `place` itself, if there, is neither): what a term's changes are taken against, and the
 * term whose changes a backfill or a re-run of `place` must bring up to date.
 */
export function termNeighbours<T extends TermPlace>(terms: readonly T[], place: TermPlace): { previous?: T; next?: T } {
  let previous: T | undefined;
  let next: T | undefined;
  for (const t of terms) {
    if (t.school_year === place.school_year && t.label === place.label) continue;
    const order = compareTerms(t, place);
    if (order < 0 && (!previous || compareTerms(t, previous) > 0)) previous = t;
    if (order > 0 && (!next || compareTerms(t, next) < 0)) next = t;
  }
  return { previous, next };
}

/** A term keeps its place in publication order when re-run; a new one goes after every term there is. */
export function termSeq(terms: readonly TermPlace[], schoolYear: number, label: string): number {
  const same = terms.find((t) => t.school_year === schoolYear && t.label === label);
  return same ? same.seq : Math.max(0, ...terms.map((t) => t.seq)) + 1;
}
