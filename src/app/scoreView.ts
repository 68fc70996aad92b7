import { describeDriver, parseDrivers, priorMilestoneText, type IndicatorName } from "../core/index.ts";
import type { ListedScore } from "../store/termStore.ts";

type DriverView = { indicator: string; value: number | null; contribution: number; text: string };

/**
 * Drivers in words, remembered by their stored text: parsing and wording them was a third of a
 * list page's time, and a page is read again and again in a term. A pure function of the text,
 * so nothing goes stale; the cap bounds the memory (a few hundred bytes an entry).
 */
const driversSeen = new Map<string, readonly DriverView[]>();
const DRIVERS_SEEN_MAX = 100_000;

function driversOf(compact: string): readonly DriverView[] {
  let drivers = driversSeen.get(compact);
  if (drivers === undefined) {
    drivers = Object.freeze(
      parseDrivers(compact).map((d) => Object.freeze({ ...d, value: Number.isNaN(d.value) ? null : d.value, text: describeDriver(d.indicator as IndicatorName, d.value) })),
    );
    if (driversSeen.size >= DRIVERS_SEEN_MAX) driversSeen.clear();
    driversSeen.set(compact, drivers);
  }
  return drivers;
}

/** A score as the API and pages show it: drivers and the earlier milestone in words. */
export const scoreView = (s: ListedScore) => ({
  student_id: s.student_id,
  school_year: s.school_year,
  district_id: s.district_id,
  school_id: s.school_id,
  grade: s.grade,
  milestone: s.milestone,
  risk: s.risk,
  tier: s.tier,
  previous_tier: s.previous_tier,
  change: s.change,
  drivers: driversOf(s.drivers),
  prior: s.prior ? { ...s.prior, text: priorMilestoneText(s.milestone, s.prior) } : null,
  scored_with: s.scoredWith,
});
