import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './env';

const ROOT = join(__dirname, '..', '..', '..');
const SERVER = join(ROOT, 'infra/oidc/server.mjs');

/** Where the services' tokens come from, and for which API. */
export interface IdentityProviderInfo {
  issuer: string;
  audience: string;
}

/** The issuer tests use: OIDC_ISSUER_URL, else the local provider of `scripts/platform.sh` (port 9400). */
export const oidcIssuer = (): string => process.env.OIDC_ISSUER_URL ?? 'http://127.0.0.1:9400';
export const oidcAudience = (): string => process.env.OIDC_AUDIENCE ?? 'api://crm';

async function answers(issuer: string): Promise<boolean> {
  try {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** The local provider's port, when the issuer is one (`http://127.0.0.1:<port>`). */
const localPort = (issuer: string) => /^http:\/\/127\.0\.0\.1:(\d+)\/?$/.exec(issuer)?.[1];

function startProvider(env: Record<string, string>, logFile: string): ChildProcess {
  mkdirSync(join(logFile, '..'), { recursive: true });
  const log = openSync(logFile, 'a');
  return spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
}

let ensured: Promise<IdentityProviderInfo> | undefined;

/**
 * The identity provider every service process of the tests trusts: OIDC_ISSUER_URL when set (as
 * `scripts/platform.sh test` does), else http://127.0.0.1:9400. When the local provider is not
 * running, it is started as `scripts/platform.sh up` starts it (log and pid in .run/) and left
 * running for the services and test runs that follow, like the broker; `platform.sh down` stops it.
 */
export function identityProvider(): Promise<IdentityProviderInfo> {
  ensured ??= ensureIdentityProvider().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

async function ensureIdentityProvider(): Promise<IdentityProviderInfo> {
  const info = { issuer: oidcIssuer(), audience: oidcAudience() };
  if (await answers(info.issuer)) return info;
  const port = localPort(info.issuer);
  if (!port) throw new Error(`the identity provider ${info.issuer} (OIDC_ISSUER_URL) does not answer`);
  // Another run may start one at the same moment: whichever listens serves (and writes the pid).
  const run = join(ROOT, '.run');
  startProvider(
    { OIDC_PORT: port, OIDC_AUDIENCE: info.audience, OIDC_PID_FILE: join(run, 'oidc.pid') },
    join(run, 'oidc.log'),
  ).unref();
  await waitFor(`the identity provider at ${info.issuer}`, () => answers(info.issuer), 30_000, 100);
  return info;
}

/**
 * A provider of a test's own (the same program, its own port and keys folder), for what the
 * shared one must not be put through, e.g. a key rotation. stop() ends it.
 */
export class LocalIdentityProvider {
  private constructor(
    private child: ChildProcess,
    readonly port: number,
    readonly keysDir: string,
  ) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(port: number, keysDir: string): Promise<LocalIdentityProvider> {
    const provider = new LocalIdentityProvider(LocalIdentityProvider.spawn(port, keysDir), port, keysDir);
    await provider.ready();
    return provider;
  }

  /** Stops it and starts it again on the same port and keys (e.g. after a key rotation). */
  async restart(): Promise<void> {
    await this.stop();
    this.child = LocalIdentityProvider.spawn(this.port, this.keysDir);
    await this.ready();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private static spawn(port: number, keysDir: string): ChildProcess {
    return spawn(process.execPath, [SERVER], {
      cwd: ROOT,
      env: { ...process.env, OIDC_PORT: String(port), OIDC_KEYS_DIR: keysDir },
      stdio: 'ignore',
    });
  }

  private ready(): Promise<boolean> {
    return waitFor(`the identity provider on port ${this.port}`, () => answers(this.issuer), 30_000, 100);
  }
}
