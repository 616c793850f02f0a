import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './env';
import type { Reaper } from './reaper';
import { freePort } from './service-process';

const run = promisify(execFile);
const KAFKA_DIR = join(__dirname, '..', '..', '..', 'infra', 'kafka');

/** True while `pid` is a live process (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A Kafka broker of the test's own, started by infra/kafka/up.sh in a temporary KAFKA_DATA_DIR on
 * free ports, so that a test may kill and restart it without touching the shared broker. It is
 * stopped and its directory deleted by destroy(), or by the reaper if the test dies.
 */
export class PrivateKafka {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  /** Why a private broker cannot be started here (no Java; no Kafka jars and no Maven to get them), if so. */
  static unavailable(): string | undefined {
    const found = (program: string) => spawnSync('sh', ['-c', `command -v "${program}"`]).status === 0;
    if (!found('java')) return 'java not found';
    if (!existsSync(join(KAFKA_DIR, 'lib', '.complete')) && !found('mvn'))
      return 'no Kafka jars in infra/kafka/lib and no mvn to download them';
    return undefined;
  }

  static async create(reaper?: Reaper): Promise<PrivateKafka> {
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const broker = new PrivateKafka(mkdtempSync(join(tmpdir(), 'crm-kafka-')), port, controllerPort);
    reaper?.run(broker.emergencyStop());
    try {
      await broker.start();
    } catch (error) {
      await broker.destroy();
      throw error;
    }
    return broker;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** The JVM's pid, from up.sh's pid file. */
  get pid(): number | undefined {
    const file = join(this.dir, 'kafka.pid');
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** Starts the broker (again) and waits until it reports it started. */
  async start(): Promise<void> {
    await this.script('up.sh');
  }

  /** SIGKILL, as a crash or an OOM kill would: no controlled shutdown. Waits until the JVM is gone. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined || !alive(pid)) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
    await waitFor(`Kafka (pid ${pid}) to be gone`, () => !alive(pid), 30_000);
  }

  /** Stops the broker (down.sh, briefly graceful) and deletes its directory. Safe to call more than once. */
  async destroy(): Promise<void> {
    if (!existsSync(this.dir)) return;
    await this.script('down.sh', '--purge').catch(async () => {
      await this.kill();
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  /**
   * A shell command doing what destroy() does, for a reaper: down.sh stops only the JVM running
   * this directory's server.properties.
   */
  emergencyStop(): string {
    return `KAFKA_DATA_DIR=${this.dir} KAFKA_STOP_TIMEOUT=1 bash ${join(KAFKA_DIR, 'down.sh')} --purge; rm -rf ${this.dir}`;
  }

  private async script(name: string, ...args: string[]): Promise<void> {
    const { KAFKA_EXTERNAL: _external, ...env } = process.env;
    await run('bash', [join(KAFKA_DIR, name), ...args], {
      env: {
        ...env,
        KAFKA_DATA_DIR: this.dir,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
        KAFKA_STOP_TIMEOUT: '10',
      },
    });
  }
}
