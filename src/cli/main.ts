import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EwisError, formatEwisError, type EwisErrorCode } from "../core/index.ts";
import { ewisVersion } from "../io/ewisVersion.ts";
import { DEFAULT_L2 } from "../../training/trainAll.ts";
import { checkCommand } from "./checkCommand.ts";
import { generateCommand } from "./generateCommand.ts";
import { scoreCommand } from "./scoreCommand.ts";
import { trainCommand } from "./trainCommand.ts";

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

export function buildProgram(log: (line: string) => void): Command {
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
    .action((options) => generateCommand(options, log));

  program
    .command("check")
    .description("validate a student-year history against the input contract and write its rejects")
    .requiredOption("--history <file>", "student-year CSV")
    .option("--rejects <file>", "where rejected rows go", undefined)
    .action((options) => checkCommand(options, log));

  program
    .command("train")
    .description("train and validate one risk model per (milestone, grade) and write them with a training report")
    .requiredOption("--history <file>", "student-year CSV with every known year")
    .requiredOption("--out <dir>", "model directory to write (replaced whole)")
    .addOption(new Option("--l2 <alpha>", "ridge penalty on standardised features").default(DEFAULT_L2).argParser(nonNegative))
    .option("--cut-points <milestone=low,high>", "tier cut-points on the risk for one milestone (repeatable)", collect, [])
    .option("--rejects <file>", "where rejected rows go (default <out>.rejects.csv)")
    .action((options) => trainCommand(options, log));

  program
    .command("score")
    .description("score every student enrolled in a school year, with tier and drivers per milestone")
    .requiredOption("--history <file>", "student-year CSV up to and including the scored year")
    .requiredOption("--year <y>", "school year to score (spring year: 2027 = 2026-27)", integer("--year", 1990))
    .requiredOption("--models <dir>", "model directory written by `ewis train`")
    .requiredOption("--out <file>", "scores CSV to write")
    .option("--rejects <file>", "where rejected rows go (default <out>.rejects.csv)")
    .action((options) => scoreCommand(options, log));

  return program;
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
