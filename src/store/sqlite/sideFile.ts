/**
 * A file SQLite keeps beside the store for writes a publish's lock must not hold up
 * (`ewis.db` → `ewis.<kind>.db`); an in-memory store keeps them in memory too.
 */
export function besideStore(storeFile: string, kind: "audit" | "sessions" | "casework"): string {
  if (storeFile === ":memory:") return ":memory:";
  return storeFile.endsWith(".db") ? `${storeFile.slice(0, -3)}.${kind}.db` : `${storeFile}.${kind}.db`;
}
