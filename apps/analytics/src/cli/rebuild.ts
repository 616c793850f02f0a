/**
 * `npm run rebuild -- analytics`: rebuilds every analytics read model from offset 0 of the topics
 * through the running service's REST API (POST /admin/rebuilds; a rebuild already running is
 * attached to), shows its progress (a bar on a terminal, a line every few seconds otherwise) and
 * exits 0 once it has switched over; 1 with the reason on any error, 2 on bad usage.
 *
 * ANALYTICS_URL (default http://127.0.0.1:3005); ANALYTICS_TOKEN or CRM_TOKEN, else an admin's
 * token from the local OpenID provider (infra/oidc/token.mjs, as `bash scripts/platform.sh token admin`).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { progressBar, progressLine, type ProgressView } from './progress-bar';

interface Status extends ProgressView {
  started?: boolean;
  switchedAt: string | null;
}

class CliError extends Error {}

const POLL_MS = 500;
const PLAIN_EVERY_MS = 5_000;

function adminToken(): Promise<string> {
  const given = process.env.ANALYTICS_TOKEN ?? process.env.CRM_TOKEN;
  if (given) return Promise.resolve(given);
  const script = join(__dirname, '..', '..', '..', '..', 'infra', 'oidc', 'token.mjs');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [script, 'admin'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error)
        return reject(
          new CliError(
            `no admin token from the local OpenID provider (set ANALYTICS_TOKEN, or start it: npm run infra:up): ${(stderr || String(error)).trim()}`,
          ),
        );
      resolve(stdout.trim().split('\n').pop()!);
    }),
  );
}

async function call(base: string, token: string, method: string, path: string): Promise<Status> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { method, headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new CliError(
      `cannot reach the analytics service at ${base} (ANALYTICS_URL): ${String((error as Error).cause ?? error)}`,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string };
      detail = [problem.title, problem.detail].filter(Boolean).join(': ') || text;
    } catch {
      // not JSON: shown as it came
    }
    throw new CliError(`${method} ${path} answered ${response.status}: ${detail}`);
  }
  return JSON.parse(text) as Status;
}

async function run(args: string[]): Promise<void> {
  const [service, ...rest] = args;
  if ((service !== undefined && service !== 'analytics') || rest.length > 0) {
    process.stderr.write('usage: npm run rebuild -- analytics\n');
    process.exit(2);
  }
  const base = process.env.ANALYTICS_URL ?? 'http://127.0.0.1:3005';
  const token = await adminToken();
  const started = await call(base, token, 'POST', '/admin/rebuilds');
  const target = started.generation;
  const tty = process.stdout.isTTY === true;
  process.stdout.write(
    `${started.started ? 'rebuild started' : 'attached to the rebuild already running'}: generation ${target}\n`,
  );
  let lastPlain = 0;
  for (let status = started; ;) {
    const finished =
      status.generation > target || (status.generation === target && status.state !== 'building');
    const view = finished ? { ...status, done: Math.max(status.done, status.total), etaSeconds: 0 } : status;
    if (tty) process.stdout.write(`\r${progressBar(view, 30)}\x1b[K`);
    else if (finished || Date.now() - lastPlain >= PLAIN_EVERY_MS) {
      process.stdout.write(`${progressLine(view)}\n`);
      lastPlain = Date.now();
    }
    if (finished) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    status = await call(base, token, 'GET', '/admin/rebuilds/current');
  }
  if (tty) process.stdout.write('\n');
  process.stdout.write(`switched over: generation ${target} is current\n`);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (process.stdout.isTTY) process.stdout.write('\n');
  const message =
    error instanceof CliError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`rebuild failed: ${message}\n`);
  process.exit(1);
});
