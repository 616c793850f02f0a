import { execFileSync } from 'node:child_process';
import type { StartedTestContainer } from 'testcontainers';
import { EventStoreDbEventStore } from '@crm/event-store';
import { describeEventStoreContract } from './event-store.contract';

// The root jest.config.js sets testTimeout inside `projects`, where jest ignores it (5 s default).
jest.setTimeout(60_000);

/**
 * Runs the EventStore contract against EventStoreDB: the server at EVENTSTOREDB_URL if set, else a
 * container started with testcontainers when a container runtime is available, else a loud skip.
 */
const IMAGE = process.env.EVENTSTOREDB_IMAGE ?? 'eventstore/eventstore:24.10';

type Target = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

const target = detectTarget();

if (target.kind === 'skip') {
  const message =
    `EventStoreDB contract run SKIPPED: ${target.reason}.\n` +
    `Set EVENTSTOREDB_URL (e.g. esdb://localhost:2113?tls=false) or make Docker/Podman available to run it.`;
  // jest drops the console output of a file whose tests are all skipped when it runs several files,
  // so the notice also goes straight to stderr.
  console.warn(message);
  process.stderr.write(`\n${message}\n\n`);
  describe.skip(`EventStore contract: EventStoreDB (SKIPPED: ${target.reason})`, () => {
    it('runs the EventStore contract against EventStoreDB', () => undefined);
  });
} else if (target.kind === 'url') {
  describeEventStoreContract(`EventStoreDB at ${target.url}`, async () => {
    return new EventStoreDbEventStore({ connectionString: target.url });
  });
} else {
  let container: StartedTestContainer | undefined;
  afterAll(async () => {
    await container?.stop();
  });
  describeEventStoreContract(
    `EventStoreDB in a container (${IMAGE})`,
    async () => {
      const { GenericContainer, Wait } = await import('testcontainers');
      const prefix = IMAGE.includes('kurrent') ? 'KURRENTDB' : 'EVENTSTORE';
      container = await new GenericContainer(IMAGE)
        .withEnvironment({
          [`${prefix}_INSECURE`]: 'true',
          [`${prefix}_CLUSTER_SIZE`]: '1',
          [`${prefix}_RUN_PROJECTIONS`]: 'None',
          [`${prefix}_MEM_DB`]: 'true',
        })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
        .start();
      const url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
      return new EventStoreDbEventStore({ connectionString: url });
    },
    { setupTimeoutMs: 300_000 },
  );
}

/**
 * Decided while jest collects the tests, hence synchronously: the container runtime is probed by
 * testcontainers itself in a child process (getContainerRuntimeClient() throws when there is none).
 */
function detectTarget(): Target {
  const url = process.env.EVENTSTOREDB_URL;
  if (url) return { kind: 'url', url };
  const probe = `require(process.argv[1]).getContainerRuntimeClient().then(
    () => process.exit(0),
    (e) => { process.stderr.write(String((e && e.message) || e)); process.exit(1); })`;
  try {
    execFileSync(process.execPath, ['-e', probe, require.resolve('testcontainers')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
    return { kind: 'container' };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const message = stderr || (error instanceof Error ? error.message : String(error));
    return { kind: 'skip', reason: `no EVENTSTOREDB_URL, no container runtime: ${message}` };
  }
}
