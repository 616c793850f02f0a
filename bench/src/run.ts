import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { testDatabaseUrl } from '@crm/test-support';
import { benchAppends } from './event-store.bench';
import { benchLeadsService } from './leads-service.bench';
import { round, table } from './stats';
import { benchSealing } from './sealing.bench';
import { benchSlaBreaches } from './sla-breaches.bench';
import { benchSlaTimers } from './sla-timers.bench';
import { benchTokenVerification } from './token-verification.bench';

/**
 * `npm run bench`: every figure is measured in this run against the real PostgreSQL and broker,
 * and event store throughput is reported as a ratio to raw INSERTs measured alongside it.
 * Options: BENCH_SECONDS (per measurement, default 5), BENCH_CONNECTIONS (HTTP, default 16).
 */
async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
  const url = testDatabaseUrl();

  const appends = [];
  for (const writers of [1, 16]) appends.push(await benchAppends(url, writers, seconds * 1000));
  console.log('\nEvent store appends (single event, expected revision) vs raw single-row INSERTs');
  console.log(
    table(
      appends.map((a) => ({
        writers: a.writers,
        'appends/s': a.eventStoreAppendsPerSecond,
        'raw inserts/s (same indexes)': a.rawInsertsPerSecond,
        ratio: a.ratio,
        'raw inserts/s (pk only)': a.rawInsertsPrimaryKeyOnlyPerSecond,
        'ratio (pk only)': a.ratioToPrimaryKeyOnly,
      })),
    ),
  );

  const service = await benchLeadsService(seconds * 2, connections, 200);
  console.log('\nLeads service');
  console.log(
    table([
      { figure: 'capture commands/s', value: service.capture.commandsPerSecond },
      { figure: 'capture latency p50 (ms)', value: service.capture.p50Ms },
      { figure: 'capture latency p99 (ms)', value: service.capture.p99Ms },
      { figure: 'non-2xx responses', value: service.capture.non2xx },
      { figure: 'projection drain after the load (ms)', value: service.drainAfterLoadMs },
      { figure: 'append-to-read lag p50 (ms)', value: service.appendToReadLag.p50Ms },
      { figure: 'append-to-read lag p99 (ms)', value: service.appendToReadLag.p99Ms },
      { figure: 'append-to-read lag max (ms)', value: service.appendToReadLag.maxMs },
      { figure: 'idle resident memory (MB)', value: service.idleRssMb },
    ]),
  );

  const tokens = await benchTokenVerification(5_000);
  const p50Microseconds = service.capture.p50Ms * 1000;
  console.log('\nToken validation per request (in process, real token of the identity provider)');
  console.log(
    table([
      { figure: 'verify (signature, iss, aud, exp, roles) (µs)', value: tokens.verifyMicroseconds },
      { figure: 'verifications/s (one core)', value: tokens.verificationsPerSecond },
      { figure: 'baseline: decode without checks (µs)', value: tokens.decodeOnlyMicroseconds },
      { figure: 'cost of checking (µs)', value: tokens.costMicroseconds },
      {
        figure: 'share of the capture p50 latency above (%)',
        value: round((tokens.verifyMicroseconds / p50Microseconds) * 100, 2),
      },
    ]),
  );

  const sealing = await benchSealing(url, 5_000);
  console.log(
    '\nSealing personal data per event (in process, real key vault; LeadCaptured: 4 personal values)',
  );
  console.log(
    table([
      { figure: 'seal (µs)', value: sealing.protectMicroseconds },
      { figure: 'open (µs)', value: sealing.revealMicroseconds },
      { figure: 'baseline: the same walk, no cryptography (µs)', value: sealing.walkOnlyMicroseconds },
      {
        figure: "a new customer's first event, key made and stored (µs)",
        value: sealing.firstKeyMicroseconds,
      },
    ]),
  );

  const slaTimers = [await benchSlaTimers(url, 10_000, 1), await benchSlaTimers(url, 10_000, 2)];
  const appendsPerSecond = appends[0].eventStoreAppendsPerSecond;
  console.log('\nSLA timers: 10,000 cases due at the same instant, each firing appends one event');
  console.log(
    table(
      slaTimers.map((t) => ({
        pollers: t.pollers,
        'fired/s': t.firedPerSecond,
        'ratio to 1-writer appends/s': round(t.firedPerSecond / appendsPerSecond, 3),
        'delay p50 (ms)': t.delayP50Ms,
        'delay p99 (ms)': t.delayP99Ms,
        'delay max (ms)': t.delayMaxMs,
      })),
    ),
  );

  // The whole path in the real service: 10,000 urgent cases whose first response runs out at once.
  const replicas = Number(process.env.BENCH_SLA_REPLICAS ?? 1);
  const breaches = [await benchSlaBreaches(10_000, replicas)];
  console.log(
    '\nSLA breaches in the service desk: 10,000 cases whose first response runs out at the same instant',
  );
  console.log(
    table(
      breaches.map((b) => ({
        replicas: b.replicas,
        'breaches/s': b.breachesPerSecond,
        'ratio to 1-writer appends/s': round(b.breachesPerSecond / appendsPerSecond, 3),
        'delay p50 (ms)': b.delayP50Ms,
        'delay p99 (ms)': b.delayP99Ms,
        'delay max (ms)': b.delayMaxMs,
        duplicates: b.duplicates,
      })),
    ),
  );

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    settings: { seconds, connections },
    appends,
    service,
    tokens,
    sealing,
    slaTimers,
    breaches,
  };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2));
  console.log(`\nwritten to bench/results/latest.json`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
