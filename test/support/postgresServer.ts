import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster for the tests: Debian's server (`apt-get install postgresql`,
 * which `.ci/run` does when it is missing), `initdb` in a temporary directory, listening on a
 * free loopback port and a socket in that directory, removed by `stop`. No stand-in: the
 * store tests talk to a real server. initdb refuses to run as root, so under root (CI) the
 * cluster is the `postgres` user's.
 */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`, trust authentication on loopback only. */
  url: string;
  /** The cluster's directory (data, socket, server log): gone after `stop`. */
  directory: string;
  stop(): Promise<void>;
}

/**
 * `durable` keeps PostgreSQL's defaults (fsync, full page writes, synchronous commit), as a
 * deployment runs it: for the benchmark. The tests' clusters are thrown away and never
 * recovered, so they skip those.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = await serverBin();
  const dir = await mkdtemp(join(tmpdir(), "ewis-pg-"));
  const asRoot = process.getuid?.() === 0;
  // Under root every command runs as `postgres`, which must own the directory.
  const asServer = (command: string, args: string[]) => (asRoot ? run("runuser", ["-u", "postgres", "--", command, ...args]) : run(command, args));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout), Number(gid));
  }
  const data = join(dir, "data");
  await asServer(join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"]);
  const port = await freePort();
  const settings = options.durable ? "-c max_wal_size=4GB" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${settings}`;
  await asServer(join(bin, "pg_ctl"), ["-D", data, "-o", serverOptions, "-l", join(dir, "server.log"), "-w", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    directory: dir,
    stop: async () => {
      await asServer(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The newest installed server's programs, /usr/lib/postgresql/VERSION/bin on Debian. */
async function serverBin(): Promise<string> {
  const root = "/usr/lib/postgresql";
  const versions = await readdir(root).catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server under ${root}: install Debian's postgresql (\`apt-get install postgresql\`; .ci/run does it)`);
  return join(root, newest, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
