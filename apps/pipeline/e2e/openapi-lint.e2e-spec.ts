import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, freePort, freshDatabase, kafkaBrokers, platformServices } from '@crm/test-support';

/** Every service of the platform (services.json). */
const SERVICES = platformServices().map((s) => s.name);

/**
 * The OpenAPI documents of every service, as client generators and API catalogues fetch them from
 * `/docs-json` of the real processes, pass `redocly lint` with the `recommended` ruleset; the
 * checked-in `redocly.yaml` says which rule waits for what.
 */
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..');
/** What `npx redocly` runs, started without npx or a shell. */
const REDOCLY = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');

let db: Awaited<ReturnType<typeof freshDatabase>>;
let dir: string;
const services: Record<string, ServiceProcess> = {};

function redoclyLint(file: string): Promise<{ exitCode: number; report: string }> {
  const args = [REDOCLY, 'lint', '--config', join(ROOT, 'redocly.yaml'), file];
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ exitCode, report: `${stdout}${stderr}${error && exitCode === -1 ? String(error) : ''}` });
    });
  });
}

beforeAll(async () => {
  db = await freshDatabase();
  dir = await mkdtemp(join(tmpdir(), 'crm-openapi-'));
  const run = randomBytes(3).toString('hex');
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: `e2e-${randomUUID()}`,
    KAFKA_TOPIC_PREFIX: `e2e-${run}.`,
    LOG_LEVEL: 'warn',
  };
  const own: Record<string, Record<string, string>> = { leads: { LEAD_OWNERS: `ana-${run}` } };
  for (const name of SERVICES)
    services[name] = new ServiceProcess(name, await freePort(), { ...env, ...own[name] });
  await Promise.all(Object.values(services).map((service) => service.start()));
});

afterAll(async () => {
  const ended = await Promise.all(Object.values(services).map((service) => service.stop()));
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(ended).toEqual(SERVICES.map(() => 'graceful'));
});

describe('OpenAPI documents', () => {
  it.each(SERVICES)('of %s pass redocly lint (recommended)', async (name) => {
    const response = await fetch(`${services[name].url}/docs-json`);
    expect(response.status).toBe(200);
    const file = join(dir, `${name}.openapi.json`);
    // Indented, so that each problem is reported at a line, with its JSON pointer and a code frame.
    await writeFile(file, JSON.stringify(await response.json(), null, 2));
    const { exitCode, report } = await redoclyLint(file);
    // On failure, the diff shows every problem redocly found, with its rule and location.
    expect({ exitCode, problems: exitCode === 0 ? 'none' : report }).toEqual({
      exitCode: 0,
      problems: 'none',
    });
  });
});
