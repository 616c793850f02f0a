import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, escapeIdentifier } from 'pg';
import type { Reaper } from './reaper';
import { freePort } from './service-process';

const run = promisify(execFile);
const OS_USER = 'postgres';

/** Where initdb and pg_ctl are: PG_BIN_DIR, else the newest /usr/lib/postgresql/<v>/bin, else PATH. */
function binDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length > 0 ? join(root, versions[0], 'bin') : '';
}

/** PostgreSQL refuses to run as root: then its tools run as the `postgres` OS user. */
function command(tool: string, args: string[]): [string, string[]] {
  const path = binDir() ? join(binDir(), tool) : tool;
  return process.getuid?.() === 0 ? ['runuser', ['-u', OS_USER, '--', path, ...args]] : [path, args];
}

/**
 * A PostgreSQL cluster of the test's own: initdb into a temporary directory, on a free port, so
 * that a test may stop, restart or crash it without touching the shared server others use. Its
 * server is stopped and its directory deleted by destroy(), or by the reaper if the test dies.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Why a private cluster cannot be made here (no initdb, or running as root without a `postgres` user), if so. */
  static unavailable(): string | undefined {
    const [initdb] = command('initdb', []);
    const found = (program: string) => spawnSync('sh', ['-c', `command -v "${program}"`]).status === 0;
    if (!found(binDir() ? join(binDir(), 'initdb') : 'initdb'))
      return 'initdb not found (set PG_BIN_DIR to the PostgreSQL binaries)';
    if (initdb === 'runuser' && (!found('runuser') || spawnSync('id', ['-u', OS_USER]).status !== 0))
      return `running as root, without runuser or a "${OS_USER}" OS user to run PostgreSQL as`;
    return undefined;
  }

  static async create(reaper?: Reaper): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'crm-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', OS_USER]);
      chownSync(dir, Number(stdout.trim()), -1);
    }
    const cluster = new PrivatePostgres(dir, await freePort());
    reaper?.run(cluster.emergencyStop());
    try {
      const [initdb, args] = command('initdb', [
        ...['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
      ]);
      await run(initdb, args);
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A connection URL to one of its databases. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a database and answers its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`create database ${escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c max_connections=200`;
    await this.pgCtl('start', '-l', join(this.dir, 'server.log'), '-o', options);
  }

  /**
   * Stops the server and waits until it is gone. `fast`: clients are disconnected and the server
   * shuts down cleanly; `immediate`: it quits without a checkpoint, as in a crash (recovery at start).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pgCtl('stop', '-m', mode);
  }

  /** Stops the server (immediate) and deletes its directory. Safe to call more than once. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A shell command doing what destroy() does, for a reaper. */
  emergencyStop(): string {
    const [pgCtl, args] = command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    return `${[pgCtl, ...args].join(' ')}; rm -rf ${this.dir}`;
  }

  private async pgCtl(action: string, ...args: string[]): Promise<void> {
    const [pgCtl, argv] = command('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', ...args, action]);
    await run(pgCtl, argv);
  }
}
