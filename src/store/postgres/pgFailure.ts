import { EwisError } from "../../core/index.ts";

/**
 * PostgreSQL's and the network's failures as a sentence a state data team can act on, naming
 * the database (never its password). Anything else is passed through as it is.
 */
export function pgFailure(error: unknown, location: string, doing: string, outcome?: string): unknown {
  if (error instanceof EwisError || !(error instanceof Error)) return error;
  // node-postgres's pool gives up waiting for a free connection with a message and no code.
  if (/timeout exceeded when trying to connect/.test(error.message)) {
    return new EwisError("store_failed", `${doing} failed: every connection to the database stayed busy too long (${error.message})${outcome ? `; ${outcome}` : ""}`, { file: location });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error;
  const plea = (() => {
    if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"].includes(code)) return "the database server cannot be reached";
    if (code === "28P01" || code === "28000") return "the server refused the user name or password";
    if (code === "3D000") return "there is no such database on the server";
    if (code === "42501") return "this database user may not do that (it needs rights on the ewis tables)";
    if (code === "25006") return "the database is read-only here (a replica?)";
    if (code === "53100") return "the server's disk is full";
    if (code.startsWith("57P") || code.startsWith("08")) return "the connection to the server was lost";
    if (code.startsWith("40")) return "the server cancelled the transaction (a conflict or deadlock)";
    if (/^[0-9A-Z]{5}$/.test(code)) return "PostgreSQL refused";
    return undefined;
  })();
  if (plea === undefined) return error;
  return new EwisError("store_failed", `${doing} failed: ${plea} (${code}: ${error.message})${outcome ? `; ${outcome}` : ""}`, { file: location });
}
