import {
  rollupChange,
  rollupKeyString,
  tierChange,
  tierKey,
  type HistoryTable,
  type PublishedScore,
  type RiskModel,
  type RiskTier,
  type RollupCell,
  type StudentName,
  type SuppressionLoss,
} from "../core/index.ts";
import type { NamedStudent, PublishingTerm, TermRecord, TermStore, TermToRecord, TierMove } from "../store/termStore.ts";
import type { FaultPoint, Progress } from "./progress.ts";
import { scoreHere, type ScoreTerm } from "./termScoring.ts";

export interface TermToPublish {
  schoolYear: number;
  label: string;
  table: HistoryTable;
  models: readonly RiskModel[];
  minCell: number;
  /** What was read, for the term's record. */
  read: { rows: number; accepted: number; rejected: number; sha256: string };
  /**
   * Empty the table once every student is scored (`HistoryTable.release`), before the rollups
   * are taken (suppressed here, or still being suppressed on a worker): the term run's peak
   * memory. For a caller that is done with the history.
   */
  releaseTable?: boolean;
  /** The roster's names by student id (`run-term --roster`); only those of students scored this term are published. */
  roster?: ReadonlyMap<string, StudentName>;
}

export interface PublishPorts {
  terms: TermStore;
  progress: Progress;
  fault: FaultPoint;
  clock: () => Date;
  /** The error to throw when no student is enrolled in the year (it names the input file). */
  noOneEnrolled: () => Error;
  /** Where the scoring runs (default: on this thread, between writes; the CLI uses two workers). */
  scoring?: ScoreTerm;
}

export interface PublishedTerm {
  record: TermRecord;
  cells: RollupCell[];
  loss: SuppressionLoss[];
  /** Students published with their roster name. */
  named: number;
}

/**
 * Publishes a term: score every enrolled student, take each score's tier move against the
 * previous term, roll up and suppress, and write it all in one transaction of the store, so a
 * crash or kill anywhere leaves readers the previous version or the whole new one. Scores are
 * written and rolled up as they are made: a state's million are never held at once. A
 * backfill (a term before one already published) brings the later term's moves up to date
 * in the same transaction, so no published change points at a replaced version.
 */
export async function publishTerm(input: TermToPublish, ports: PublishPorts): Promise<PublishedTerm> {
  const started = ports.clock();
  const { progress, fault } = ports;
  let cells: RollupCell[] = [];
  let loss: SuppressionLoss[] = [];
  let scoreCount = 0;
  const named = new Set<string>();
  const record = await ports.terms.publish(
    { school_year: input.schoolYear, label: input.label },
    async (term) => {
      const tiersBefore = await previousTiers(term);
      progress.stage("score", input.table.studentCount, "students");
      const scoring = (ports.scoring ?? scoreHere)({ table: input.table, schoolYear: input.schoolYear, models: input.models, minCell: input.minCell });
      let rollupTables;
      try {
        for await (const { scores, students } of scoring.batches()) {
          const names: NamedStudent[] = [];
          for (const s of scores) {
            moveSince(tiersBefore, s);
            fault("score", ++scoreCount);
            const name = input.roster?.get(s.student_id);
            if (name && !named.has(s.student_id)) {
              named.add(s.student_id);
              names.push({ student_id: s.student_id, ...name });
            }
          }
          await term.addScores(scores);
          if (names.length > 0) await term.addNames(names);
          progress.update(students);
        }
        progress.end();
        if (input.releaseTable) input.table.release();
        if (scoring.summary().studentsEnrolled === 0) throw ports.noOneEnrolled();
        progress.stage("rollups", 1, "suppression");
        rollupTables = await scoring.rollups();
      } finally {
        await scoring.stop();
      }
      const summary = scoring.summary();
      ({ cells, loss } = rollupTables);
      fault("rollups");
      progress.end();
      progress.stage("publish", 1, "commit");
      await finishTerm(term, cells);
      return {
        school_year: input.schoolYear,
        label: input.label,
        started_at: started.toISOString(),
        finished_at: ports.clock().toISOString(),
        rows_read: input.read.rows,
        rows_accepted: input.read.accepted,
        rows_rejected: input.read.rejected,
        students_enrolled: summary.studentsEnrolled,
        students_scored: summary.studentsScored,
        scores: scoreCount,
        not_scored: summary.notScored,
        models: input.models.map((m) => ({ milestone: m.milestone, grade: m.grade, ewisVersion: m.ewisVersion, dataSha256: m.data.sha256 })),
        input_sha256: input.read.sha256,
        suppression_threshold: input.minCell,
      };
    },
    () => fault("commit"),
  );
  progress.end();
  return { record, cells, loss, named: named.size };
}

/**
 * `publishTerm` for scores already made (a test's hand-built term, an import): the same tier
 * moves, rollup changes and backfill refresh, in one transaction of the store.
 */
export async function publishScores(terms: TermStore, record: TermToRecord, scores: readonly PublishedScore[], cells: readonly RollupCell[]): Promise<TermRecord> {
  return terms.publish({ school_year: record.school_year, label: record.label }, async (term) => {
    const tiersBefore = await previousTiers(term);
    await term.addScores(scores.map((s) => moveSince(tiersBefore, { ...s })));
    await finishTerm(term, cells);
    return record;
  });
}

/** Each (student, milestone)'s tier in the previous term; none for a first term. */
function previousTiers(term: PublishingTerm): Promise<Map<string, RiskTier>> {
  return term.previous ? term.tiersOf(term.previous.id) : Promise.resolve(new Map());
}

/** The score's tier move since the previous term, whose tiers are `tiersBefore`. */
function moveSince(tiersBefore: ReadonlyMap<string, RiskTier>, s: PublishedScore): PublishedScore {
  const before = tiersBefore.get(tierKey(s.student_id, s.milestone));
  s.previous_tier = before ?? null;
  s.change = tierChange(before, s.tier);
  return s;
}

/** The rollups with their changes, then the later term brought up to date if this is a backfill. */
async function finishTerm(term: PublishingTerm, cells: readonly RollupCell[]): Promise<void> {
  await term.addRollups(await withChanges(term, cells, term.previous?.id));
  if (term.next) await refreshLater(term, term.next.id, term.id);
}

/** Each cell's change since the term `before` (none if there is no such term). */
async function withChanges(term: PublishingTerm, cells: readonly RollupCell[], before: number | undefined): Promise<RollupCell[]> {
  const cellsBefore = new Map(before === undefined ? [] : (await term.rollupsOf(before)).map((c) => [rollupKeyString(c), c]));
  return cells.map((c) => ({ ...c, ...rollupChange(c, cellsBefore.get(rollupKeyString(c))) }));
}

/** The later term's tier moves and rollup changes, taken again against the term just written. */
async function refreshLater(term: PublishingTerm, laterId: number, writtenId: number): Promise<void> {
  const tiers = await term.tiersOf(writtenId);
  const moves: TierMove[] = [];
  for (const [key, tier] of await term.tiersOf(laterId)) {
    const [student_id, milestone] = key.split("\u0000");
    const before = tiers.get(key);
    moves.push({ student_id, milestone, previous_tier: before ?? null, change: tierChange(before, tier) });
  }
  await term.setTierMoves(laterId, moves);
  await term.setRollupChanges(laterId, await withChanges(term, await term.rollupsOf(laterId), writtenId));
}
