import { EwisError } from "../core/index.ts";

/**
 * SQLite's failures as a sentence a state data team can act on. Its own messages ("disk I/O
 * error", "attempt to write a readonly database") name neither the file nor what to do, and
 * they reach people as stack traces. Anything that is not SQLite's is passed through as it is.
 */
export function storeFailure(error: unknown, file: string, doing: string, outcome?: string): unknown {
  if (!isSqliteError(error)) return error;
  const { code } = error;
  const sqlite = `${code}: ${(error as Error).message}`;
  const plea = (() => {
    if (code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR")) return "the disk is full, the file size limit was reached, or the disk failed";
    if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code === "SQLITE_PERM" || code === "SQLITE_AUTH") {
      return "the store (or its folder, where SQLite keeps its -wal and -shm files) is read-only to this user";
    }
    if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return "the file is damaged or is not an ewis store; restore it from a backup";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "another process held the file's write lock for too long";
    return "SQLite refused";
  })();
  return new EwisError("store_failed", `${doing} failed: ${plea} (${sqlite})${outcome ? `; ${outcome}` : ""}`, { file });
}

export function isSqliteError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown })?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("SQLITE_");
}
