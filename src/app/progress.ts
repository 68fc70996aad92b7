/** Stages of a long run with a count each; the CLI draws them as a bar or as a few lines. */
export interface Progress {
  stage(name: string, total: number, unit: string): void;
  update(value: number): void;
  end(): void;
}

/** Where a fault test may kill a run (`EWIS_KILL_AT` in the CLI); a no-op anywhere else. */
export type FaultPoint = (point: string, count?: number) => void;
