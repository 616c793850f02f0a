import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { testDatabaseUrl } from '@crm/test-support';
import { benchAnalytics } from './analytics.bench';
import { benchAppends } from './event-store.bench';
import { benchLeadsService, type ServiceFigures } from './leads-service.bench';
import { benchCampaignSend } from './marketing-send.bench';
import { round, table } from './stats';
import { benchSealing } from './sealing.bench';
import { benchSegmentReevaluation } from './segment-reevaluation.bench';
import { benchSlaBreaches } from './sla-breaches.bench';
import { benchSlaTimers } from './sla-timers.bench';
import { benchTokenVerification } from './token-verification.bench';

const BENCHES = [
  'appends',
  'leads',
  'tokens',
  'sealing',
  'sla-timers',
  'sla-breaches',
  'marketing-send',
  'segments',
  'analytics-rebuild',
  'analytics-queries',
] as const;
type Bench = (typeof BENCHES)[number];

/** BENCH_ONLY=marketing-send,segments: only those (comma-separated names of BENCHES); default all. */
function selection(): (bench: Bench) => boolean {
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!only?.length) return () => true;
  const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`);
  return (bench) => only.includes(bench);
}

/**
 * `npm run bench`: every figure is measured in this run against the real PostgreSQL and broker,
 * and event store throughput is reported as a ratio to raw INSERTs measured alongside it.
 * Options: BENCH_SECONDS (per measurement, default 5), BENCH_CONNECTIONS (HTTP, default 16),
 * BENCH_ONLY (some of BENCHES), BENCH_CAMPAIGN_RECIPIENTS (default 100,000),
 * BENCH_CAMPAIGN_CONCURRENCY (the marketing process's CAMPAIGN_SEND_CONCURRENCY; default its own),
 * BENCH_SEGMENT_CUSTOMERS (default 2,000: five profile events each), BENCH_ANALYTICS_EVENTS
 * (default 1,000,000), BENCH_ANALYTICS_PARTITIONS (default 3), BENCH_ANALYTICS_REQUESTS (default 200).
 */
async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
  const url = testDatabaseUrl();
  const wanted = selection();
  const results: Record<string, unknown> = {};

  const appends = [];
  if (wanted('appends'))
    for (const writers of [1, 16]) appends.push(await benchAppends(url, writers, seconds * 1000));
  // The baseline of the ratios below: 1-writer appends of this run (measured alone if need be).
  let oneWriter = appends[0]?.eventStoreAppendsPerSecond;
  const appendsPerSecond = async () =>
    (oneWriter ??= (await benchAppends(url, 1, seconds * 1000)).eventStoreAppendsPerSecond);
  if (appends.length > 0) {
    results.appends = appends;
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
  }

  let service: ServiceFigures | undefined;
  if (wanted('leads')) {
    service = results.service = await benchLeadsService(seconds * 2, connections, 200);
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
  }

  if (wanted('tokens')) {
    const tokens = (results.tokens = await benchTokenVerification(5_000));
    console.log('\nToken validation per request (in process, real token of the identity provider)');
    console.log(
      table([
        { figure: 'verify (signature, iss, aud, exp, roles) (µs)', value: tokens.verifyMicroseconds },
        { figure: 'verifications/s (one core)', value: tokens.verificationsPerSecond },
        { figure: 'baseline: decode without checks (µs)', value: tokens.decodeOnlyMicroseconds },
        { figure: 'cost of checking (µs)', value: tokens.costMicroseconds },
        {
          figure: 'share of the capture p50 latency above (%)',
          value: service
            ? round((tokens.verifyMicroseconds / (service.capture.p50Ms * 1000)) * 100, 2)
            : 'n/a (leads not run)',
        },
      ]),
    );
  }

  if (wanted('sealing')) {
    const sealing = (results.sealing = await benchSealing(url, 5_000));
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
  }

  if (wanted('sla-timers')) {
    const slaTimers = [await benchSlaTimers(url, 10_000, 1), await benchSlaTimers(url, 10_000, 2)];
    results.slaTimers = slaTimers;
    const baseline = await appendsPerSecond();
    console.log('\nSLA timers: 10,000 cases due at the same instant, each firing appends one event');
    console.log(
      table(
        slaTimers.map((t) => ({
          pollers: t.pollers,
          'fired/s': t.firedPerSecond,
          'ratio to 1-writer appends/s': round(t.firedPerSecond / baseline, 3),
          'delay p50 (ms)': t.delayP50Ms,
          'delay p99 (ms)': t.delayP99Ms,
          'delay max (ms)': t.delayMaxMs,
        })),
      ),
    );
  }

  if (wanted('sla-breaches')) {
    // The whole path in the real service: 10,000 urgent cases whose first response runs out at once.
    const replicas = Number(process.env.BENCH_SLA_REPLICAS ?? 1);
    const breaches = [await benchSlaBreaches(10_000, replicas)];
    results.breaches = breaches;
    const baseline = await appendsPerSecond();
    console.log(
      '\nSLA breaches in the service desk: 10,000 cases whose first response runs out at the same instant',
    );
    console.log(
      table(
        breaches.map((b) => ({
          replicas: b.replicas,
          'breaches/s': b.breachesPerSecond,
          'ratio to 1-writer appends/s': round(b.breachesPerSecond / baseline, 3),
          'delay p50 (ms)': b.delayP50Ms,
          'delay p99 (ms)': b.delayP99Ms,
          'delay max (ms)': b.delayMaxMs,
          duplicates: b.duplicates,
        })),
      ),
    );
  }

  if (wanted('marketing-send')) {
    const recipients = Number(process.env.BENCH_CAMPAIGN_RECIPIENTS ?? 100_000);
    const send = (results.campaignSend = await benchCampaignSend(recipients));
    console.log(
      `\nCampaign send: one step to ${recipients.toLocaleString('en')} recipients over SMTP (private mail server)`,
    );
    console.log(
      table([
        { figure: 'CAMPAIGN_SEND_CONCURRENCY', value: send.concurrency },
        { figure: 'messages/s (due time to last message received)', value: send.messagesPerSecond },
        { figure: 'messages/s, first to last message', value: send.steadyMessagesPerSecond },
        {
          figure: 'send (s); step recorded done after (s)',
          value: `${send.sendSeconds}; ${send.stepDoneSeconds}`,
        },
        {
          figure: 'ledger sent / suppressed / pending',
          value: `${send.ledger.sent} / ${send.ledger.suppressed} / ${send.ledger.pending}`,
        },
        {
          figure: 'mailbox Message-IDs / SMTP deliveries',
          value: `${send.mailbox.messages} / ${send.mailbox.deliveries}`,
        },
        { figure: 'duplicates (deliveries beyond one per Message-ID)', value: send.mailbox.duplicates },
        {
          figure: 'missing / unexpected in the mailbox',
          value: `${send.mailbox.missing} / ${send.mailbox.unexpected}`,
        },
        ...send.baseline.map((b) => ({
          figure: `baseline: raw nodemailer, ${b.what} (messages/s, ${b.messages} messages)`,
          value: b.messagesPerSecond,
        })),
        { figure: 'ratio to the pooled baseline', value: send.ratio },
        {
          figure: 'seed (s), relay and consumers taking it (s)',
          value: `${send.seedSeconds}, ${send.drainBeforeSendSeconds}`,
        },
      ]),
    );
  }

  if (wanted('segments')) {
    const customers = Number(process.env.BENCH_SEGMENT_CUSTOMERS ?? 2_000);
    const segments = (results.segments = await benchSegmentReevaluation(customers));
    const baseline = await appendsPerSecond();
    console.log(
      `\nSegment re-evaluation: ${segments.events.toLocaleString('en')} profile events of ${customers.toLocaleString('en')} customers, ${segments.segments} segments`,
    );
    console.log(
      table([
        { figure: 'profile events/s (until memberships caught up)', value: segments.eventsPerSecond },
        { figure: 'ratio to 1-writer appends/s', value: round(segments.eventsPerSecond / baseline, 3) },
        { figure: 'seconds', value: segments.seconds },
        { figure: 'members joined / left (events)', value: `${segments.joined} / ${segments.left}` },
        { figure: 'members at the end', value: segments.members },
      ]),
    );
  }

  if (wanted('analytics-rebuild') || wanted('analytics-queries')) {
    const events = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 1_000_000);
    const partitions = Number(process.env.BENCH_ANALYTICS_PARTITIONS ?? 3);
    const requests = wanted('analytics-queries') ? Number(process.env.BENCH_ANALYTICS_REQUESTS ?? 200) : 0;
    console.log(`\nAnalytics: ${events.toLocaleString('en')} events on 4 topics × ${partitions} partitions`);
    const analytics = await benchAnalytics(events, partitions, {
      rebuild: wanted('analytics-rebuild'),
      requests,
    });
    const rebuild = (results.analyticsRebuild = analytics.rebuild);
    if (rebuild)
      console.log(
        table([
          { figure: 'rebuild events/s (start to switch-over)', value: rebuild.rebuildEventsPerSecond },
          { figure: 'baseline: raw kafkajs consume events/s', value: rebuild.rawConsumeEventsPerSecond },
          { figure: 'ratio to the raw consume', value: rebuild.ratio },
          {
            figure: 'rebuild seconds; CPU seconds of the process',
            value: `${rebuild.rebuildSeconds}; ${rebuild.rebuildCpuSeconds}`,
          },
          {
            figure: 'live consumption events/s (generation 1, from the first publish)',
            value: rebuild.liveEventsPerSecond,
          },
          {
            figure: 'events; customers; publish seconds',
            value: `${rebuild.events}; ${rebuild.customers}; ${rebuild.produceSeconds}`,
          },
          {
            figure: 'load average (1 min) before; after',
            value: `${rebuild.loadAverage.before}; ${rebuild.loadAverage.after}`,
          },
        ]),
      );
    const queries = (results.analyticsQueries = analytics.queries);
    if (queries) {
      console.log(
        `\nAnalytics queries over ${events.toLocaleString('en')} events (${requests} requests each, one client)`,
      );
      console.log(
        table(
          queries.map((q) => ({
            query: q.query,
            'p50 (ms)': q.p50Ms,
            'p99 (ms)': q.p99Ms,
            'max (ms)': q.maxMs,
          })),
        ),
      );
    }
  }

  const all = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    settings: { seconds, connections, only: process.env.BENCH_ONLY ?? 'all' },
    ...(oneWriter !== undefined ? { oneWriterAppendsPerSecond: oneWriter } : {}),
    ...results,
  };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  // A selection does not overwrite the whole run's file.
  const file = process.env.BENCH_ONLY
    ? `latest-${process.env.BENCH_ONLY.replace(/[^a-z0-9-]+/g, '_')}.json`
    : 'latest.json';
  writeFileSync(join(dir, file), JSON.stringify(all, null, 2));
  console.log(`\nwritten to bench/results/${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
