import { deterministicUuid } from '@crm/contracts';
import { PrivateKafka, PrivatePostgres, waitFor } from '@crm/test-support';
import { histogram, uncleanOutcomes } from './command-load';
import { totalAppliedTwice, totalLost, type Figures } from './fault-audit';
import { FaultRig, type Scenario } from './fault-rig';
import { killMidWork } from './lock-holder';

/**
 * Faults under steady command load, against real leads and pipeline processes on a PostgreSQL
 * cluster and a Kafka broker of this test's own: the broker is SIGKILLed, the services are
 * SIGKILLed in the middle of work, PostgreSQL is restarted. In each, nothing acknowledged to a
 * client is lost and nothing is applied twice; clients get answers, never a 500 or a hang (a 503
 * with Retry-After while the database is down), and /health/ready tells the truth.
 */
jest.setTimeout(120_000);

let rig: FaultRig;
const unavailable = PrivatePostgres.unavailable() ?? PrivateKafka.unavailable();
if (unavailable) console.info(`[fault] fault tests skipped: ${unavailable}`);
const describeIfPossible = unavailable ? describe.skip : describe;

beforeAll(async () => {
  if (!unavailable) rig = await FaultRig.create();
}, 120_000);

afterAll(async () => {
  await rig?.destroy();
});

/** A dependency stays down at least this long (then until it was seen down). */
const MIN_OUTAGE_MS = 3_000;
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** What the readiness probes answered for each service between two instants. */
function readinessBetween(s: Scenario, from: number, to: number) {
  return Object.fromEntries(
    ['leads', 'pipeline'].map((name) => [name, histogram(s.readiness.between(name, from, to))]),
  );
}

function report(name: string, figures: Figures & { settleMs: number }, outage: Record<string, unknown>) {
  console.info(
    `[fault] ${name}\n${JSON.stringify(
      {
        ...outage,
        acknowledged: {
          requests: figures.acknowledgedRequests,
          events: figures.acknowledgedEvents,
          conversions: figures.acknowledgedConversions,
        },
        lost: figures.lost,
        publishedTwice: figures.publishedTwice,
        appliedTwice: figures.appliedTwice,
        settledInS: seconds(figures.settleMs),
      },
      null,
      2,
    )}`,
  );
}

const customerOf = (s: Scenario, lead: string) => s.load.acks.find((a) => a.leadId === lead)?.customerId;

/** Runs a scenario on fresh services, and shows their last log lines if it fails. */
async function scenario(name: string, body: (s: Scenario) => Promise<void>): Promise<void> {
  const s = await rig.scenario(name);
  try {
    await s.warmUp();
    await body(s);
  } catch (error) {
    console.info(`[fault] ${name} failed; service output:\n${s.tail()}`);
    throw error;
  } finally {
    await s.stop();
  }
}

/** The assertions every scenario shares: clean answers, nothing lost, nothing applied twice. */
function expectSafe(s: Scenario, figures: Figures) {
  expect(uncleanOutcomes(s.load.outcomes)).toEqual([]);
  expect(figures.acknowledgedConversions).toBeGreaterThan(0);
  expect(figures.lost).toEqual({
    store: 0,
    kafka: 0,
    leadsReadModel: 0,
    pipelineReaction: 0,
    pipelineReadModel: 0,
  });
  expect(totalLost(figures)).toBe(0);
  expect(totalAppliedTwice(figures)).toBe(0);
}

/** Waits, with the dependency down, until both services were probed and some commands answered. */
async function outageObserved(s: Scenario, downAt: number): Promise<void> {
  await waitFor(
    'probes and commands during the outage',
    () =>
      Date.now() - downAt >= MIN_OUTAGE_MS &&
      ['leads', 'pipeline'].every((name) => s.readiness.between(name, downAt).length >= 2) &&
      s.load.between(downAt).length >= 10,
    60_000,
  );
}

describeIfPossible('faults under steady command load', () => {
  it('Kafka broker SIGKILLed and restarted: commands go on, readiness says not ready, nothing lost', async () => {
    await scenario('kafka-kill', async (s) => {
      await rig.kafka.kill();
      const downAt = Date.now();
      await outageObserved(s, downAt);
      const restartAt = Date.now();
      await rig.kafka.start();
      const upAt = Date.now();
      const readyAt = await s.ready();
      await s.moreConversions();
      const figures = await s.finish();
      report('Kafka broker SIGKILLed, restarted', figures, {
        outageS: seconds(restartAt - downAt),
        brokerRestartS: seconds(upAt - restartAt),
        readyAgainAfterBrokerUpS: seconds(readyAt - upAt),
        commandsDuringOutage: histogram(s.load.between(downAt, restartAt)),
        commandsWhileBrokerRestarting: histogram(s.load.between(restartAt, readyAt)),
        readinessDuringOutage: readinessBetween(s, downAt, restartAt),
      });
      // Commands do not need Kafka: the relay publishes their events once the broker is back.
      expect(s.load.between(downAt, restartAt).filter((o) => !o.status.startsWith('2'))).toEqual([]);
      for (const name of ['leads', 'pipeline'])
        expect(s.readiness.between(name, downAt, restartAt).filter((p) => p.status === '200')).toEqual([]);
      expectSafe(s, figures);
    });
  });

  it('pipeline SIGKILLed mid-batch twice, leads SIGKILLed mid-command: nothing lost, nothing applied twice', async () => {
    await scenario('service-kill', async (s) => {
      // 1. The projection has begun a batch (its dedupe rows inserted) and waits to write an account.
      const projection = await killMidWork(s, [
        {
          service: 'pipeline',
          locks: [['lock table pipeline.account in share mode']],
          waiting: (w) => /^(insert into|update) "pipeline"\."account"/i.test(w.query.trim()),
        },
      ]);
      // 2. At once: the lead-conversion reaction has opened the account and added the contact of a
      // conversion (appends that commit on their own) and waits to open its opportunity (the
      // stream lock of es_append), its batch's dedupe rows uncommitted, so the conversion is
      // delivered again; and leads commands wait to append (the event table is locked).
      const lead = await waitFor('a lead on its way to conversion', () => s.load.holdBeforeConversion());
      await waitFor(`lead ${lead} qualified`, () => s.load.waitsForConversion(lead));
      const opportunity = deterministicUuid('opportunity-from-lead', lead);
      const both = await killMidWork(s, [
        {
          service: 'pipeline',
          locks: [
            [
              'select pg_advisory_xact_lock(hashtextextended($1, 0))',
              [`"pipeline_eventstore"/opportunity-${opportunity}`],
            ],
          ],
          thenStart: () => s.load.release(lead),
          waiting: (w) => w.lock === 'advisory' && w.query.includes('es_append'),
          observe: [
            `select type from pipeline_eventstore.es_events where stream_id in ($1, $2) order by global_position`,
            [`account-${customerOf(s, lead)}`, `opportunity-${opportunity}`],
          ],
        },
        {
          service: 'leads',
          locks: [['lock table leads_eventstore.es_events in share mode']],
          waiting: (w) => w.lock === 'relation' && w.query.includes('es_append'),
        },
      ]);
      await s.moreConversions();
      const figures = await s.finish();
      report('pipeline SIGKILLed mid-batch, then pipeline and leads SIGKILLed mid-work', figures, {
        projectionKill: projection.figures,
        reactionAndLeadsKill: both.figures,
        commandsFromLeadsKillToReady: histogram(s.load.between(both.killedAt, both.backAt)),
        commandsCutOffByTheKill: histogram(
          s.load.outcomes.filter((o) => o.startedAt < both.killedAt && o.endedAt >= both.killedAt),
        ),
      });
      expect(both.figures.requestsInFlight).toBeGreaterThan(0);
      expectSafe(s, figures);
    });
  });

  it('PostgreSQL stopped (fast) and started again: 503 with Retry-After meanwhile, nothing lost', async () => {
    await scenario('postgres-restart', async (s) => {
      const stopAt = Date.now();
      await rig.postgres.stop('fast');
      const downAt = Date.now();
      await outageObserved(s, downAt);
      const restartAt = Date.now();
      await rig.postgres.start();
      const upAt = Date.now();
      const readyAt = await s.ready();
      await s.moreConversions();
      const firstAck = s.load.outcomes.find((o) => o.startedAt >= upAt && o.status.startsWith('2'));
      const figures = await s.finish();
      const duringOutage = s.load.between(downAt, restartAt);
      report('PostgreSQL stopped -m fast, started again', figures, {
        stopS: seconds(downAt - stopAt),
        outageS: seconds(restartAt - downAt),
        readyAgainAfterPostgresUpS: seconds(readyAt - upAt),
        firstAckAfterPostgresUpS: firstAck ? seconds(firstAck.endedAt - upAt) : null,
        commandsWhileStopping: histogram(s.load.between(stopAt, downAt)),
        commandsDuringOutage: histogram(duringOutage),
        retryAfter: [...new Set(duringOutage.map((o) => o.retryAfter))],
        commandsWhileRecovering: histogram(s.load.between(restartAt, readyAt)),
        readinessDuringOutage: readinessBetween(s, downAt, restartAt),
      });
      expect(duringOutage.length).toBeGreaterThan(0);
      expect(duringOutage.filter((o) => o.status !== '503' || o.code !== 'DEPENDENCY_UNAVAILABLE')).toEqual(
        [],
      );
      expect(duringOutage.filter((o) => o.retryAfter === undefined)).toEqual([]);
      for (const name of ['leads', 'pipeline'])
        expect(s.readiness.between(name, downAt, restartAt).filter((p) => p.status === '200')).toEqual([]);
      expectSafe(s, figures);
    });
  });
});
