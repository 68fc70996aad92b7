/**
 * The one error type ewis throws on purpose. Errors are data: a closed set of codes plus
 * context; the CLI and the HTTP layer map codes to exit codes and statuses, core never does.
 */
const errorCodes = [
  "invalid_file",
  "invalid_record",
  "missing_column",
  "invalid_argument",
  "unknown_milestone",
  "not_converged",
  "separation",
  "singular",
  "model_not_found",
  "invalid_model",
  "insufficient_data",
  "forbidden",
  "unauthorized",
  "not_found",
  "conflict",
  "store_failed",
] as const;

export type EwisErrorCode = (typeof errorCodes)[number];

export interface EwisErrorContext {
  file?: string;
  line?: number;
  column?: string;
  value?: string;
  student?: string;
  milestone?: string;
  grade?: number;
}

export class EwisError extends Error {
  readonly code: EwisErrorCode;
  readonly context: EwisErrorContext;

  constructor(code: EwisErrorCode, message: string, context: EwisErrorContext = {}) {
    super(message);
    this.name = "EwisError";
    this.code = code;
    this.context = context;
  }
}

/** One line a person can act on: where, what, and the offending value. */
export function formatEwisError(error: EwisError): string {
  const { file, line, column, value } = error.context;
  const where = [file, line === undefined ? undefined : `line ${line}`, column && `column ${column}`]
    .filter(Boolean)
    .join(", ");
  const shown = value === undefined ? "" : ` (value ${JSON.stringify(value)})`;
  return `${where ? `${where}: ` : ""}${error.message}${shown}`;
}
