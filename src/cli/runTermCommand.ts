import { stat } from "node:fs/promises";
import { publishTerm, type PublishedTerm } from "../app/publishTerm.ts";
import { EwisError, MIN_CELL_SIZE, suppressionLossLine } from "../core/index.ts";
import { loadModels } from "../io/modelFiles.ts";
import { readHistory, writeRejects } from "../io/readHistory.ts";
import { readRoster } from "../io/rosterFile.ts";
import { scoreOnWorker } from "../parallel/scoringWorkers.ts";
import { isDatabaseUrl, openStores } from "../store/openStores.ts";
import { faultPoint } from "./faultPoint.ts";
import { logRead, noOneEnrolled } from "./historyInput.ts";
import type { Progress } from "../app/progress.ts";

export interface RunTermOptions {
  history: string;
  year: number;
  term: string;
  models: string;
  db: string;
  minCell: number;
  rejects?: string;
  /** The district's roster of names (`docs/data-contract.md`, "The roster"). */
  roster?: string;
}

/**
 * `ewis run-term`: reads and validates the history, then `publishTerm` scores, rolls up and
 * publishes it in one transaction of the store; this reports what it did.
 */
export async function runTermCommand(options: RunTermOptions, log: (line: string) => void, progress: Progress): Promise<void> {
  const started = new Date();
  if (!Number.isInteger(options.minCell) || options.minCell < MIN_CELL_SIZE) {
    throw new EwisError("invalid_argument", `--min-cell must be a whole number of at least ${MIN_CELL_SIZE} (the contract's floor), got ${options.minCell}`);
  }
  const models = await loadModels(options.models);
  // Read first: a roster with a problem stops the run before the history is read or anything published.
  const roster = options.roster === undefined ? undefined : await readRoster(options.roster);
  const stores = await openStores(options.db);
  try {
    await stores.terms.checkWritable();
    const { size } = await stat(options.history);
    progress.stage("read", size, "bytes");
    const history = await readHistory(options.history, { onProgress: ({ bytes }) => progress.update(bytes) });
    progress.end();
    logRead(options.history, history, log);
    faultPoint("read");
    // The rejects file belongs to the published term: written once the term is, so a failed
    // run never overwrites the rejects of the term that stands.
    // Beside the store's file, always (header only when none). A server database has no file
    // here, so beside the history, and only when there are rejects: the history's folder is
    // the state's input, not a place to leave empty files in.
    const onServer = isDatabaseUrl(options.db);
    const rejectsFile = options.rejects ?? `${onServer ? options.history : options.db}.${options.year}-${options.term}.rejects.csv`;
    const writeTheRejects = options.rejects !== undefined || !onServer || history.rejects.length > 0;
    const failedRun = async (error: unknown) => {
      if (history.rejects.length > 0) {
        await writeRejects(`${rejectsFile}.failed-run.csv`, history.rejects);
        log(`this run's rejects: ${rejectsFile}.failed-run.csv`);
      }
      throw error;
    };
    if (history.accepted === 0) await failedRun(new EwisError("invalid_file", "no valid rows to work with", { file: options.history }));

    // Scoring, rollups and the write all happen inside the publishing transaction.
    let published: PublishedTerm;
    try {
      published = await publishTerm(
        {
          schoolYear: options.year,
          label: options.term,
          table: history.table,
          // Nothing here reads the rows after the run: their memory goes before suppression.
          releaseTable: true,
          models,
          minCell: options.minCell,
          read: { rows: history.read, accepted: history.accepted, rejected: history.rejected, sha256: history.sha256 },
          roster,
        },
        {
          terms: stores.terms,
          progress,
          fault: faultPoint,
          clock: () => new Date(),
          noOneEnrolled: () => noOneEnrolled(options.year, history.table, options.history),
          // A large term is scored, and its rollups suppressed, on two other threads while this one writes it to the store.
          scoring: scoreOnWorker(),
        },
      );
    } catch (error) {
      progress.end();
      return await failedRun(error);
    }
    const { record, cells, loss, named } = published;
    faultPoint("published");
    if (writeTheRejects) await writeRejects(rejectsFile, history.rejects);
    if (history.rejected > 0) log(`rejected rows with line, column, value and reason: ${rejectsFile}`);

    const previous = await stores.terms.previousTerm(options.year, options.term);
    const changes = await stores.terms.changeCounts(record.id);
    const sizeHidden = cells.filter((c) => c.n === null).length;
    const tierHidden = cells.filter((c) => c.n !== null && c.suppressed.length > 0).length;
    log(`term ${record.school_year} ${record.label} published to ${stores.location}: ${record.students_scored} of ${record.students_enrolled} students scored, ${record.scores} scores`);
    log(`change since ${previous ? `${previous.school_year} ${previous.label}` : "no earlier term"}: ${changes.up} up, ${changes.down} down, ${changes.same} same, ${changes.new} new`);
    log(
      `${cells.length} rollup groups: ${cells.length - sizeHidden - tierHidden} show every number, ` +
        `${tierHidden} hide some tier counts, ${sizeHidden} hide their size (fewer than ${options.minCell} students, or its complement)`,
    );
    for (const l of loss) log(suppressionLossLine(l, options.minCell));
    if (roster) log(`names: ${named} of ${record.students_scored} scored students named by the roster's ${roster.size} (${roster.size - named} roster students not scored this term)`);
    const seconds = (Date.now() - started.getTime()) / 1000;
    log(`done in ${seconds.toFixed(1)} s (${Math.round(history.read / seconds)} rows/s), peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  } finally {
    await stores.close();
  }
}
