import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MIN_GROUP_SIZE, DEFAULT_TOLERANCES, DEFAULT_CELL_SIZE, DEFAULT_SESSION_HOURS, DEFAULT_TOKEN_DAYS, EwisError, MAX_SESSION_HOURS, MAX_TOKEN_DAYS, formatEwisError, milestoneNames, riskTiers, roles, subgroupDimensions, type EwisErrorCode } from "../core/index.ts";
import { createProgress } from "./progress.ts";
import { ewisVersion } from "../io/ewisVersion.ts";
import { DEFAULT_L2 } from "../../training/trainAll.ts";

/** Data and file problems exit 1; a command line that cannot be run as written exits 2. */
const exitCodes: Record<EwisErrorCode, number> = {
  invalid_file: 1,
  invalid_record: 1,
  missing_column: 1,
  invalid_argument: 2,
  unknown_milestone: 2,
  not_converged: 1,
  separation: 1,
  singular: 1,
  model_not_found: 1,
  invalid_model: 1,
  insufficient_data: 1,
  forbidden: 1,
  unauthorized: 1,
  not_found: 1,
  conflict: 1,
  store_failed: 1,
};

function integer(name: string, min: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number ≥ 0");
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function buildProgram(log: (line: string) => void): Command {
  const program = new Command("ewis")
    .description("Early Warning Indicator System: per-milestone risk models for students, with tiers and reasons")
    .version(ewisVersion)
    .exitOverride()
    .showHelpAfterError();

  program
    .command("generate")
    .description("write a synthetic state's multi-year student-year history (CSV)")
    .addOption(new Option("--students <n>", "distinct students").default(40000).argParser(integer("--students", 1)))
    .addOption(new Option("--seed <s>", "random seed; the same seed gives the same bytes").default(1).argParser(integer("--seed", 0)))
    .requiredOption("--out <file>", "CSV file to write")
    .option("--roster <file>", "also write a roster of made-up names for the same students (for `run-term --roster`)")
    .action(async (options) => (await import("./generateCommand.ts")).generateCommand(options, log));

  program
    .command("check")
    .description("validate a student-year history against the input contract and write its rejects")
    .requiredOption("--history <file>", "student-year CSV")
    .option("--rejects <file>", "where rejected rows go", undefined)
    .action(async (options) => (await import("./checkCommand.ts")).checkCommand(options, log));

  program
    .command("train")
    .description("train and validate one risk model per (milestone, grade) and write them with a training report")
    .requiredOption("--history <file>", "student-year CSV with every known year")
    .requiredOption("--out <dir>", "model directory to write (replaced whole)")
    .addOption(new Option("--l2 <alpha>", "ridge penalty on standardised features").default(DEFAULT_L2).argParser(nonNegative))
    .option("--cut-points <milestone=low,high>", "tier cut-points on the risk for one milestone (repeatable)", collect, [])
    .option("--rejects <file>", "where rejected rows go (default <out>.rejects.csv)")
    .action(async (options) => (await import("./trainCommand.ts")).trainCommand(options, log));

  program
    .command("score")
    .description("score every student enrolled in a school year, with tier and drivers per milestone")
    .requiredOption("--history <file>", "student-year CSV up to and including the scored year")
    .requiredOption("--year <y>", "school year to score (spring year: 2027 = 2026-27)", integer("--year", 1990))
    .requiredOption("--models <dir>", "model directory written by `ewis train`")
    .requiredOption("--out <file>", "scores CSV to write")
    .option("--rejects <file>", "where rejected rows go (default <out>.rejects.csv)")
    .action(async (options) => (await import("./scoreCommand.ts")).scoreCommand(options, log));

  program
    .command("evaluate")
    .description("judge every model on its held-out cohort: ROC, AUC interval, cut-points, calibration, tiers, rule-based baselines, equity audit; HTML and JSON")
    .requiredOption("--history <file>", "student-year CSV with every known year")
    .requiredOption("--models <dir>", "model directory written by `ewis train`")
    .requiredOption("--out <dir>", "where evaluation.html, evaluation.json and the model cards go")
    .addOption(new Option("--seed <s>", "bootstrap seed").default(1).argParser(integer("--seed", 0)))
    .addOption(new Option("--replicates <n>", "bootstrap replicates").default(1000).argParser(integer("--replicates", 100)))
    .addOption(new Option("--min-group <n>", "smallest subgroup judged in the equity audit").default(DEFAULT_MIN_GROUP_SIZE).argParser(integer("--min-group", 10)))
    .option("--tolerance <metric=value>", `a disparity tolerance, e.g. falsePositiveRate=0.03 (repeatable; metrics: ${Object.keys(DEFAULT_TOLERANCES).join(", ")})`, collect, [])
    .action(async (options) => (await import("./evaluateCommand.ts")).evaluateCommand(options, log));

  program
    .command("run-term")
    .description("read, validate and score a term's data, compute rollups, and publish the term to the store in one transaction")
    .requiredOption("--history <file>", "student-year CSV up to and including the term's school year")
    .option("--roster <file>", "the district's roster: student_id, first_name, last_name and local_id, published with the term for roles that read students")
    .requiredOption("--year <y>", "school year of the term (spring year)", integer("--year", 1990))
    .requiredOption("--term <label>", "term label, e.g. fall, winter, spring")
    .requiredOption("--models <dir>", "model directory written by `ewis train`")
    .addOption(dbOption("SQLite file (created if missing) or postgres:// URL"))
    .addOption(new Option("--min-cell <n>", "smallest group a rollup shows a number for").default(DEFAULT_CELL_SIZE).argParser(integer("--min-cell", 1)))
    .option("--rejects <file>", "where rejected rows go (default <db>.<year>-<term>.rejects.csv; beside the history for a postgres:// store)")
    .action(async (options) => (await import("./runTermCommand.ts")).runTermCommand(options, log, createProgress(process.stderr, log)));

  program
    .command("terms")
    .description("list the published terms in a store")
    .addOption(dbOption())
    .action(async (options) => (await import("./browseCommands.ts")).termsCommand(options, log));

  program
    .command("suppression")
    .description("what a published term's rollup suppression hides, per scope (as the term run prints it)")
    .addOption(dbOption())
    .requiredOption("--year <y>", "school year of the term", integer("--year", 1990))
    .requiredOption("--term <label>", "term label")
    .action(async (o) => (await import("./suppressionCommand.ts")).suppressionCommand({ db: o.db, year: o.year, term: o.term }, log));

  const termOptions = (command: Command) =>
    command
      .addOption(dbOption())
      .requiredOption("--year <y>", "school year of the term", integer("--year", 1990))
      .requiredOption("--term <label>", "term label")
      .requiredOption("--out <file>", "CSV file to write")
      .option("--district <id>", "one district")
      .option("--school <id>", "one school")
      .addOption(new Option("--milestone <name>", "one milestone").choices(milestoneNames));

  termOptions(program.command("export"))
    .description("write a term's risk list (one row per student and milestone, highest risk first)")
    .addOption(new Option("--grade <grade>", "one grade").argParser(integer("--grade", 1)))
    .addOption(new Option("--tier <tier>", "one tier").choices(riskTiers))
    .addOption(new Option("--change <change>", "how the tier moved since the previous term").choices(["new", "up", "down", "same"]))
    .action(async (o) =>
      (await import("./browseCommands.ts")).exportCommand(
        { db: o.db, year: o.year, term: o.term, out: o.out, district_id: o.district, school_id: o.school, milestone: o.milestone, grade: o.grade, tier: o.tier, change: o.change },
        log,
      ),
    );

  termOptions(program.command("rollups"))
    .description("write a term's rollups (suppressed numbers blank and named in the suppressed column)")
    .addOption(new Option("--scope <scope>", "where").choices(["state", "district", "school"]))
    .option("--grade <grade>", "a grade or all")
    .addOption(new Option("--dimension <name>", "all or a subgroup").choices(["all", ...subgroupDimensions]))
    .action(async (o) =>
      (await import("./browseCommands.ts")).rollupsCommand(
        { db: o.db, year: o.year, term: o.term, out: o.out, scope: o.scope, district_id: o.district, school_id: o.school, milestone: o.milestone, grade: o.grade, dimension: o.dimension },
        log,
      ),
    );

  program
    .command("serve")
    .description("serve the API and the pages over a store")
    .addOption(dbOption())
    .addOption(new Option("--port <n>", "port (0 picks a free one)").default(8080).argParser(integer("--port", 0)))
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--demo-tokens", "create and print one token per role (for the demo)")
    .option("--demo-sign-in", "register one demo person per role and sign them in through a demo identity provider on this machine")
    .option("--oidc-issuer <url>", "the district's OpenID Connect provider (its issuer URL); its client secret comes from EWIS_OIDC_CLIENT_SECRET")
    .option("--oidc-client-id <id>", "ewis's client id at that provider")
    .option("--public-url <url>", "where browsers reach this ewis (https behind a proxy makes the cookies Secure); default http://host:port/")
    .addOption(new Option("--session-hours <n>", `how long a sign-in lasts, at most ${MAX_SESSION_HOURS}`).default(DEFAULT_SESSION_HOURS).argParser(integer("--session-hours", 1)))
    .addOption(new Option("--rate-limit <n>", "requests a minute per token, per instance").default(600).argParser(integer("--rate-limit", 1)))
    .action(async (options) => (await import("./serviceCommands.ts")).serveCommand(options, log));

  const interventions = program.command("interventions").description("the catalog of interventions plans are assigned from");
  interventions
    .command("add")
    .description("add an intervention (attendance mentoring, tutoring, check-in/check-out, …)")
    .addOption(dbOption())
    .requiredOption("--id <id>", "its id: a-z, 0-9 and _")
    .requiredOption("--label <words>", "its name as staff see it")
    .action(async (options) => (await import("./caseworkCommands.ts")).interventionAddCommand(options, log));
  interventions.command("list").description("every intervention, retired ones with their date").addOption(dbOption()).action(async (options) => (await import("./caseworkCommands.ts")).interventionListCommand(options, log));
  interventions
    .command("retire")
    .description("retire an intervention: no new plan takes it")
    .addOption(dbOption())
    .requiredOption("--id <id>", "its id")
    .action(async (options) => (await import("./caseworkCommands.ts")).interventionRetireCommand(options, log));

  program
    .command("purge")
    .description("remove terms, ended plans and notes from before a school year (a retention rule), and record it")
    .addOption(dbOption())
    .requiredOption("--before <year>", "the first school year kept (2024 keeps 2023–24 on)", integer("--before", 1990))
    .option("--confirm", "yes, remove them for good")
    .action(async (options) => (await import("./caseworkCommands.ts")).purgeCommand(options, log));

  const user = program.command("user").description("people who sign in through the identity provider");
  const addUserCommand = user
    .command("add")
    .description("register a person by email or the identity provider's subject, with a role and scope")
    .addOption(dbOption())
    .option("--email <address>", "their email, as the identity provider gives it")
    .option("--subject <id>", "the identity provider's id for them (its `sub`)")
    .action(async (options) => (await import("./userCommands.ts")).userAddCommand(options, log));
  grantOptions(addUserCommand, "who they are");
  user
    .command("list")
    .description("list every user: id, name, email, subject, role, scope, created, disabled")
    .addOption(dbOption())
    .action(async (options) => (await import("./userCommands.ts")).userListCommand(options, log));
  user
    .command("disable")
    .description("disable a user by id (from `ewis user list`): they sign in to nothing from then on")
    .addOption(dbOption())
    .requiredOption("--id <n>", "the user's id", integer("--id", 1))
    .action(async (options) => (await import("./userCommands.ts")).userDisableCommand(options, log));

  const token = program.command("token").description("API tokens");
  const createTokenCommand = token
    .command("create")
    .description("create a token for one person and print it (only its hash is stored)")
    .addOption(dbOption())
    .addOption(
      new Option("--expires-in-days <n>", `days until the token stops working (1 to ${MAX_TOKEN_DAYS})`).default(DEFAULT_TOKEN_DAYS).argParser(integer("--expires-in-days", 1)),
    )
    .action(async (options) => (await import("./serviceCommands.ts")).tokenCreateCommand(options, log));
  grantOptions(createTokenCommand, "who holds it");
  token
    .command("list")
    .description("list every token: id, holder, role, scope, created, expires, revoked, state (never the token)")
    .addOption(dbOption())
    .action(async (options) => (await import("./serviceCommands.ts")).tokenListCommand(options, log));
  token
    .command("revoke")
    .description("revoke a token by its id (from `ewis token list`): the API refuses it from then on")
    .addOption(dbOption())
    .requiredOption("--id <n>", "the token's id", integer("--id", 1))
    .action(async (options) => (await import("./serviceCommands.ts")).tokenRevokeCommand(options, log));

  program
    .command("audit")
    .description("print the audit trail of student-level reads, newest first")
    .addOption(dbOption())
    .addOption(new Option("--limit <n>", "how many records").default(100).argParser(integer("--limit", 1)))
    .option("--start-new-trail", "the audit file was lost and cannot be restored: begin a new, empty one")
    .action(async (options) => (await import("./serviceCommands.ts")).auditCommand(options, log));

  return program;
}

/** The role and scope a token or a user is given. */
function grantOptions(command: Command, whoIs: string): Command {
  return command
    .requiredOption("--role <role>", roles.join(", "))
    .requiredOption("--name <name>", whoIs)
    .option("--scope <place>", "school:ID or district:ID in scope (repeatable)", collect, [])
    .option("--school <id>", "a school in scope, same as --scope school:ID (repeatable)", collect, [])
    .option("--district <id>", "a district in scope, same as --scope district:ID (repeatable)", collect, [])
    .option("--grant-students", "state_admin only: may read student-level data");
}

/** `--db`: a SQLite file or a PostgreSQL URL, or `EWIS_DATABASE_URL` when it is not given. */
function dbOption(description = "SQLite file or postgres:// URL"): Option {
  return new Option("--db <file-or-url>", description).env("EWIS_DATABASE_URL").makeOptionMandatory();
}

/** Runs one command and returns the process exit code, so tests can call it in-process. */
export async function main(argv: string[], log: (line: string) => void = (line) => console.log(line)): Promise<number> {
  try {
    await buildProgram(log).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof EwisError) {
      console.error(`ewis: ${formatEwisError(error)}`);
      return exitCodes[error.code];
    }
    // A file the system refused (no such directory, no permission, disk full): one line, exit 1.
    const system = error as NodeJS.ErrnoException;
    if (typeof system?.code === "string" && typeof system.syscall === "string") {
      console.error(`ewis: ${system.path ? `${system.path}: ` : ""}${system.message}`);
      return 1;
    }
    throw error;
  }
}
