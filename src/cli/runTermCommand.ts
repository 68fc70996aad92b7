import { stat } from "node:fs/promises";
import { EwisError, MIN_CELL_SIZE, publishedScore, RollupAccumulator, scoreStudents, suppressionLossLine, type RollupCell, type StudentHistory, type SuppressionLoss } from "../core/index.ts";
import { loadModels } from "../io/modelFiles.ts";
import { readHistory, writeRejects } from "../io/readHistory.ts";
import { SqliteScoreStore } from "../store/sqliteScoreStore.ts";
import { faultPoint } from "./faultPoint.ts";
import { logRead, noOneEnrolled } from "./historyInput.ts";
import type { Progress } from "./progress.ts";
import type { TermRecord } from "../store/scoreStore.ts";

export interface RunTermOptions {
  history: string;
  year: number;
  term: string;
  models: string;
  db: string;
  minCell: number;
  rejects?: string;
}

/**
 * read → validate → score → rollups → publish. Scoring, rollups and publishing happen inside
 * one SQLite transaction, so a crash or kill at any point leaves the store as it was: readers
 * see the previous published term or the complete new one.
 */
export async function runTermCommand(options: RunTermOptions, log: (line: string) => void, progress: Progress): Promise<void> {
  const started = new Date();
  if (!Number.isInteger(options.minCell) || options.minCell < MIN_CELL_SIZE) {
    throw new EwisError("invalid_argument", `--min-cell must be a whole number of at least ${MIN_CELL_SIZE} (the contract's floor), got ${options.minCell}`);
  }
  const models = await loadModels(options.models);
  const store = new SqliteScoreStore(options.db);
  try {
    store.checkWritable();
    const { size } = await stat(options.history);
    progress.stage("read", size, "bytes");
    const history = await readHistory(options.history, { onProgress: ({ bytes }) => progress.update(bytes) });
    progress.end();
    logRead(options.history, history, log);
    faultPoint("read");
    // The rejects file belongs to the published term: written once the term is, so a failed
    // run never overwrites the rejects of the term that stands.
    const rejectsFile = options.rejects ?? `${options.db}.${options.year}-${options.term}.rejects.csv`;
    const failedRun = async (error: unknown) => {
      if (history.rejects.length > 0) {
        await writeRejects(`${rejectsFile}.failed-run.csv`, history.rejects);
        log(`this run's rejects: ${rejectsFile}.failed-run.csv`);
      }
      throw error;
    };
    if (history.accepted === 0) await failedRun(new EwisError("invalid_file", "no valid rows to work with", { file: options.history }));

    // Scores go into the publishing transaction and the rollups as they are made: a state's
    // million scores are never held at once. Any failure rolls the whole term back.
    const rollups = new RollupAccumulator();
    let cells: RollupCell[] = [];
    let loss: SuppressionLoss[] = [];
    let record: TermRecord;
    let scoreCount = 0;
    try {
      record = store.publishTermAsScored({ school_year: options.year, label: options.term }, (add) => {
        progress.stage("score", history.table.studentCount, "students");
        const summary = scoreStudents(counted(history.table.histories(), (n) => progress.update(n)), options.year, models, (score) => {
          const published = publishedScore(score);
          add(published);
          rollups.add(published);
          faultPoint("score", ++scoreCount);
        });
        progress.end();
        if (summary.studentsEnrolled === 0) throw noOneEnrolled(options.year, history.table, options.history);
        progress.stage("rollups", 1, "suppression");
        ({ cells, loss } = rollups.finish(options.minCell));
        faultPoint("rollups");
        progress.end();
        progress.stage("publish", 1, "commit");
        return {
          term: {
            school_year: options.year,
            label: options.term,
            started_at: started.toISOString(),
            finished_at: new Date().toISOString(),
            rows_read: history.read,
            rows_accepted: history.accepted,
            rows_rejected: history.rejected,
            students_enrolled: summary.studentsEnrolled,
            students_scored: summary.studentsScored,
            scores: scoreCount,
            not_scored: summary.notScored,
            models: models.map((m) => ({ milestone: m.milestone, grade: m.grade, ewisVersion: m.ewisVersion, dataSha256: m.data.sha256 })),
            input_sha256: history.sha256,
            suppression_threshold: options.minCell,
          },
          rollups: cells,
        };
      }, () => faultPoint("commit"));
      progress.end();
    } catch (error) {
      progress.end();
      return await failedRun(error);
    }
    faultPoint("published");
    await writeRejects(rejectsFile, history.rejects);
    if (history.rejected > 0) log(`rejected rows with line, column, value and reason: ${rejectsFile}`);

    const previous = store.previousTerm(options.year, options.term);
    const changes = store.changeCounts(record.id);
    const sizeHidden = cells.filter((c) => c.n === null).length;
    const tierHidden = cells.filter((c) => c.n !== null && c.suppressed.length > 0).length;
    log(`term ${record.school_year} ${record.label} published to ${options.db}: ${record.students_scored} of ${record.students_enrolled} students scored, ${record.scores} scores`);
    log(`change since ${previous ? `${previous.school_year} ${previous.label}` : "no earlier term"}: ${changes.up} up, ${changes.down} down, ${changes.same} same, ${changes.new} new`);
    log(
      `${cells.length} rollup groups: ${cells.length - sizeHidden - tierHidden} show every number, ` +
        `${tierHidden} hide some tier counts, ${sizeHidden} hide their size (fewer than ${options.minCell} students, or its complement)`,
    );
    for (const l of loss) log(suppressionLossLine(l, options.minCell));
    const seconds = (Date.now() - started.getTime()) / 1000;
    log(`done in ${seconds.toFixed(1)} s (${Math.round(history.read / seconds)} rows/s), peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  } finally {
    store.close();
  }
}

/** The histories, telling `onCount` how many have gone by every ten thousand. */
function* counted(histories: Iterable<StudentHistory>, onCount: (n: number) => void): Generator<StudentHistory> {
  let n = 0;
  for (const history of histories) {
    yield history;
    if (++n % 10_000 === 0) onCount(n);
  }
}
