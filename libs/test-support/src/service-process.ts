import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './env';
import { identityProvider } from './identity-provider';
import { DEFAULT_CALLER, bearer } from './tokens';

const ROOT = join(__dirname, '..', '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Settings of every service process started here unless the test gives its own: end-to-end tests,
 * the HTTP fuzz, the fault rig and the bench send many thousands of requests a minute from one
 * address, far beyond the production rate limit (RATE_LIMIT_PER_MINUTE, 600 by default).
 */
export const TEST_SERVICE_DEFAULTS: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_MINUTE: '100000000',
};

/**
 * A service started as a real process from its build output, with the OpenTelemetry SDK preloaded
 * exactly as in production (`node --require otel.preload.js`). Its stdout (JSON logs) is kept. It
 * trusts the tests' identity provider (OIDC_ISSUER_URL and OIDC_AUDIENCE of `identityProvider()`,
 * started if need be) unless its env says otherwise; `onSpawn` hears its pid as soon as it has one.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;

  get pid(): number | undefined {
    return this.child?.pid;
  }
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  constructor(
    readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly options: { onSpawn?: (pid: number) => void } = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const { issuer, audience } = await identityProvider();
    const child = spawn(
      process.execPath,
      [
        // As in the Dockerfile: a small young generation keeps the idle service under 150 MB.
        '--max-semi-space-size=4',
        '--require',
        join(ROOT, 'libs/service-kit/dist/telemetry/otel.preload.js'),
        join(ROOT, `apps/${this.service}/dist/main.js`),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          OTEL_SERVICE_NAME: this.service,
          ...TEST_SERVICE_DEFAULTS,
          OIDC_ISSUER_URL: issuer,
          OIDC_AUDIENCE: audience,
          ...this.env,
          PORT: String(this.port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    if (child.pid) this.options.onSpawn?.(child.pid);
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let exitCode: number | string | null | undefined;
    void this.exited.then(({ code, signal }) => (exitCode = code ?? signal));
    await waitFor(
      `${this.service} to be ready`,
      async () => {
        if (exitCode !== undefined)
          throw new Error(`${this.service} exited with ${exitCode}:\n${this.output.slice(-20).join('\n')}`);
        const response = await fetch(`${this.url}/health/ready`);
        return response.ok;
      },
      timeoutMs,
      200,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\n--- ${this.service} output ---\n${this.output.slice(-30).join('\n')}`,
      );
    });
  }

  /** Started and not ended yet. */
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * SIGKILL: the process dies where it stands (no shutdown hook, open transactions rolled back by
   * the database). Resolves once it is gone, to how it ended (`'killed'`, or how it ended before).
   */
  async kill(): Promise<string> {
    if (!this.child || !this.exited) return 'not started';
    if (this.running) this.child.kill('SIGKILL');
    const { code, signal } = await this.exited;
    return signal === 'SIGKILL' ? 'killed' : `exit code ${code}, signal ${signal}`;
  }

  /**
   * SIGTERM, as Kubernetes sends; waits for the graceful shutdown. Resolves to how the process
   * ended: `'graceful'` (exit 0, or re-raised SIGTERM after closing, as Nest does), or what went wrong.
   */
  async stop(): Promise<string> {
    if (!this.child || !this.exited) return 'not started';
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    return code === 0 || signal === 'SIGTERM' ? 'graceful' : `exit code ${code}, signal ${signal}`;
  }
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary JSON bodies
  body: any;
}

/**
 * One HTTP call to a service with a JSON body (if any), answering the status, headers and parsed
 * body. It carries a real access token of the demo admin (DEFAULT_CALLER) unless `headers` has an
 * Authorization of its own (`{ authorization: await bearer('sales_rep') }`).
 */
export async function callService(
  service: { url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const own = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(own ? {} : { authorization: await bearer(DEFAULT_CALLER) }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
