import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ServiceProcess, bearer, freePort, freshDatabase, kafkaBrokers, waitFor } from '@crm/test-support';
import { round, summarise } from './stats';

// autocannon ships no types; this is the part of its API the benchmark uses.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

export interface ServiceFigures {
  idleRssMb: number;
  capture: {
    connections: number;
    seconds: number;
    commandsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    non2xx: number;
    errors: number;
  };
  /** Time for the projection to apply what the load left behind (the relay and consumer backlog). */
  drainAfterLoadMs: number;
  appendToReadLag: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return round(kb / 1024);
}

const body = () =>
  JSON.stringify({
    personName: 'Bench Lead',
    email: `bench.${randomBytes(8).toString('hex')}@example.com`,
    channel: 'web_form',
    companySize: 50,
  });

async function captureOne(url: string, authorization: string): Promise<string> {
  const response = await fetch(`${url}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: body(),
  });
  if (response.status !== 201) throw new Error(`capture answered ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** Time from the command's response (the events are appended by then) to the lead being readable. */
async function lag(url: string, samples: number, authorization: string): Promise<number[]> {
  const lags: number[] = [];
  for (let i = 0; i < samples; i++) {
    const id = await captureOne(url, authorization);
    const appendedAt = performance.now();
    for (;;) {
      const r = await fetch(`${url}/leads/${id}`, { headers: { authorization } });
      await r.arrayBuffer();
      if (r.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    lags.push(performance.now() - appendedAt);
  }
  return lags;
}

function waitForCatchUp(url: string) {
  return waitFor(
    'the projection to catch up',
    async () => {
      const lagLine = (await (await fetch(`${url}/metrics`)).text()).match(
        /^crm_consumer_lag_messages.*$/m,
      )?.[0];
      return lagLine !== undefined && lagLine.endsWith(' 0');
    },
    300_000,
    250,
  );
}

export async function benchLeadsService(
  durationSeconds: number,
  connections: number,
  lagSamples: number,
): Promise<ServiceFigures> {
  const db = await freshDatabase('crm_bench');
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    LEAD_OWNERS: 'ana,ben,cleo',
    KAFKA_GROUP_PREFIX: `bench-${randomBytes(6).toString('hex')}`,
    KAFKA_TOPIC_PREFIX: `bench-${randomBytes(6).toString('hex')}.`,
    LOG_LEVEL: 'warn',
  };
  // The run's own topics (KAFKA_TOPIC_PREFIX): no history to replay, nothing shared with other runs.
  const port = await freePort();
  const service = new ServiceProcess('leads', port, env);
  // Every request carries the demo admin's real token (as before, leads go round robin to owners).
  const authorization = await bearer('admin');
  try {
    await service.start();
    await captureOne(service.url, authorization); // first request warms the code paths
    await waitForCatchUp(service.url); // idle means nothing left to consume
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleRssMb = rssMb(service.pid!);
    const result = await autocannon({
      url: `${service.url}/leads`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      connections,
      duration: durationSeconds,
      requests: [
        { method: 'POST', setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) },
      ],
    });
    // What the load left unprojected drains first; lag is then sampled on a quiet service.
    const drainStarted = performance.now();
    await waitForCatchUp(service.url);
    const drainAfterLoadMs = round(performance.now() - drainStarted);
    const lags = summarise(await lag(service.url, lagSamples, authorization));
    return {
      idleRssMb,
      capture: {
        connections,
        seconds: durationSeconds,
        commandsPerSecond: round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      },
      drainAfterLoadMs,
      appendToReadLag: {
        samples: lags.count,
        p50Ms: round(lags.p50),
        p99Ms: round(lags.p99),
        maxMs: round(lags.max),
      },
    };
  } finally {
    await service.stop();
    await db.drop();
  }
}
