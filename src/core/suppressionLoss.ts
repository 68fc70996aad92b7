import { FIELDS_PER_GROUP } from "./hypercubeComplements.ts";
import type { RollupGroup, ScopeType } from "./rollupKey.ts";

/**
 * What suppression costs the readers of one scope's rollups: the published counts (4 a group)
 * hidden because they are small and hidden to protect a small one, with the students those
 * counts hold (summed over the hidden counts, as a share of the sum over all of them), and the
 * two headline failures: groups of at least the threshold whose size is hidden, and, in groups
 * of 100 or more, tier counts hidden beyond the one complement a single small tier count needs.
 */
export interface SuppressionLoss {
  scope: ScopeType;
  groups: number;
  counts: number;
  small: number;
  protecting: number;
  students: number;
  smallStudents: number;
  protectingStudents: number;
  /** Groups of `threshold` or more students, and those of them whose size is hidden. */
  groupsAtThreshold: number;
  sizesHidden: number;
  /** Tier counts of the groups of 100 or more, and those hidden beyond their small ones and one complement. */
  largeGroupTierCounts: number;
  largeGroupTierCountsBeyond: number;
}

const LARGE_GROUP = 100;
const scopes: ScopeType[] = ["state", "district", "school"];

export function suppressionLoss(groups: readonly RollupGroup[], threshold: number, hidden: Uint8Array, small: Uint8Array): SuppressionLoss[] {
  const loss = new Map<ScopeType, SuppressionLoss>(
    scopes.map((scope) => [
      scope,
      { scope, groups: 0, counts: 0, small: 0, protecting: 0, students: 0, smallStudents: 0, protectingStudents: 0, groupsAtThreshold: 0, sizesHidden: 0, largeGroupTierCounts: 0, largeGroupTierCountsBeyond: 0 },
    ]),
  );
  groups.forEach((g, i) => {
    const l = loss.get(g.key.scope) as SuppressionLoss;
    l.groups++;
    let tiersHidden = 0;
    let tiersSmall = 0;
    for (let f = 0; f < FIELDS_PER_GROUP; f++) {
      const cell = i * FIELDS_PER_GROUP + f;
      const n = g.counts[f];
      l.counts++;
      l.students += n;
      if (small[cell]) {
        l.small++;
        l.smallStudents += n;
      } else if (hidden[cell]) {
        l.protecting++;
        l.protectingStudents += n;
      }
      if (f > 0 && hidden[cell]) tiersHidden++;
      if (f > 0 && small[cell]) tiersSmall++;
    }
    if (g.counts[0] >= threshold) l.groupsAtThreshold++;
    if (g.counts[0] >= threshold && hidden[i * FIELDS_PER_GROUP]) l.sizesHidden++;
    if (g.counts[0] >= LARGE_GROUP) {
      l.largeGroupTierCounts += 3;
      l.largeGroupTierCountsBeyond += Math.max(0, tiersHidden - tiersSmall - (tiersSmall === 1 ? 1 : 0));
    }
  });
  return [...loss.values()].filter((l) => l.groups > 0);
}

const percent = (part: number, whole: number) => `${whole === 0 ? "0.0" : ((100 * part) / whole).toFixed(1)} %`;

/** One line a scope, for the term run's summary (the bench reads these lines back). */
export function suppressionLossLine(l: SuppressionLoss, threshold: number): string {
  return (
    `hidden in ${l.scope} rollups: ${percent(l.small, l.counts)} of counts small (${percent(l.smallStudents, l.students)} of students counted), ` +
    `${percent(l.protecting, l.counts)} protecting them (${percent(l.protectingStudents, l.students)}); ` +
    `${l.sizesHidden} of ${l.groupsAtThreshold} groups of ${threshold}+ hide their size; ` +
    `groups of ${LARGE_GROUP}+ hide ${l.largeGroupTierCountsBeyond} of ${l.largeGroupTierCounts} tier counts beyond one complement`
  );
}
