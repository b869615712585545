import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './redis-server';

const PG = 'postgres://postgres@127.0.0.1:5432';

/** This checkout's FerretDB binary, built on first use (the shared one may belong to another checkout). */
const binary = (): string =>
  execFileSync('bash', [path.resolve(__dirname, '../../scripts/services.sh'), 'ferretdb-bin'], {
    encoding: 'utf8',
  }).trim();

export interface OwnFerretDB {
  /** mongodb:// URL of its database `db`. */
  uri(db: string): string;
  port: number;
  /** SIGKILLs it (as a crash would). */
  kill(): Promise<void>;
  /** Starts it again on the same port and storage. */
  restart(): Promise<void>;
  /** Kills it and drops its PostgreSQL database. */
  destroy(): Promise<void>;
}

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

/** A private FerretDB on its own PostgreSQL database, for tests that take MongoDB away. */
export async function startOwnFerretDB(): Promise<OwnFerretDB> {
  const bin = binary();
  const port = await freePort();
  const pgDb = `ferretdb_test_${process.pid}_${port}`;
  execFileSync('psql', [`${PG}/postgres`, '-qc', `CREATE DATABASE "${pgDb}"`]);
  let child: ChildProcess | null = null;

  const start = async () => {
    const proc = spawn(bin, [`-postgresql-url=${PG}/${pgDb}`, `-listen-addr=127.0.0.1:${port}`, '-log-level=error'], {
      stdio: 'ignore',
    });
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`FerretDB did not start on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };
  await start();
  return {
    port,
    uri: (db) => `mongodb://127.0.0.1:${port}/${db}`,
    kill,
    restart: start,
    async destroy() {
      await kill();
      execFileSync('psql', [`${PG}/postgres`, '-qc', `DROP DATABASE IF EXISTS "${pgDb}"`]);
    },
  };
}
