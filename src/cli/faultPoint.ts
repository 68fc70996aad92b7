/**
 * Named places where a test can have `run-term` killed outright (`EWIS_KILL_AT=score:1200`,
 * `EWIS_KILL_AT=publish`): the process sends itself SIGKILL there, as the kernel's OOM killer
 * or a pulled plug would, with no chance to clean up. Timed kills from outside land wherever
 * the machine's speed puts them; these make every stage reachable on a slow CI machine too.
 * Unset in production, so each check is one comparison with undefined.
 */
const killAt = parseKillAt(process.env.EWIS_KILL_AT);

function parseKillAt(value: string | undefined): { point: string; count: number } | undefined {
  if (!value) return undefined;
  const [point, count] = value.split(":");
  return { point, count: count === undefined ? 0 : Number(count) };
}

/** Dies here if the environment asked for it: at `point`, once `count` of it have gone by. */
export function faultPoint(point: string, count = 0): void {
  if (killAt !== undefined && killAt.point === point && killAt.count === count) process.kill(process.pid, "SIGKILL");
}
