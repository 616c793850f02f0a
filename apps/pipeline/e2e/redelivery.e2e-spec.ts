import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  accountOf,
  convertedLead,
  type CrossService,
  kafkaBrokers,
  startCrossService,
  waitFor,
} from '@crm/test-support';

/**
 * Kafka delivers at least once: a conversion delivered again to a restarted pipeline, even one
 * whose dedupe rows were lost, opens no second account, contact or opportunity, and publishes
 * nothing twice.
 */
jest.setTimeout(180_000);

let services: CrossService;

beforeAll(async () => (services = await startCrossService()));
afterAll(async () => expect(await services?.stop()).toEqual(['graceful', 'graceful']));

/**
 * Every pipeline consumer group forgotten by the broker (they are empty once pipeline stopped):
 * without committed offsets, the next start reads every topic from the beginning again.
 */
async function forgetPipelineGroups() {
  const admin = new Kafka({ clientId: 'e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const names = ['lead-conversion', 'pipeline-read-model', 'win-recording'];
    const deleted = await admin.deleteGroups(names.map((name) => `${services.groupPrefix}-pipeline-${name}`));
    expect(deleted.map((group) => group.errorCode)).toEqual([0, 0, 0]);
  } finally {
    await admin.disconnect();
  }
}

async function sql<T>(text: string, values: unknown[] = []): Promise<{ rows: T[]; rowCount: number }> {
  const client = new Client({ connectionString: services.databaseUrl });
  await client.connect();
  try {
    const { rows, rowCount } = await client.query(text, values);
    return { rows, rowCount: rowCount ?? 0 };
  } finally {
    await client.end();
  }
}

/** As after a crash between the reaction's appends and its dedupe commit: it forgets what it handled. */
const forgetHandledConversions = async () =>
  (await sql(`DELETE FROM pipeline.processed_events WHERE consumer = 'lead-conversion'`)).rowCount;

/** The events pipeline recorded for the customer's account and opportunity. */
const recorded = async (customerId: string, opportunityId: string) =>
  (
    await sql<{ type: string }>(
      `SELECT type FROM pipeline_eventstore.es_events WHERE stream_id = ANY($1) ORDER BY global_position`,
      [[`account-${customerId}`, `opportunity-${opportunityId}`]],
    )
  ).rows.map((r) => r.type);

const metric = (text: string, name: string, consumer: string) =>
  Number(new RegExp(`^${name}\\{consumer="${consumer}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

it('does not open a second account or opportunity when the conversion is delivered again', async () => {
  const lead = await convertedLead(services.leads);
  const opened = await accountOf(services.pipeline, lead.customerId, (a) => a.opportunities.length > 0);
  const opportunityId = opened.opportunities[0].opportunityId as string;
  const published = (type: string, subject: string) =>
    services.integrator.ofType(`crm.pipeline.${type}.v1`).filter((e) => e.event.subject === subject);
  await waitFor('the opened account and opportunity on crm.pipeline.events', () =>
    published('OpportunityOpened', opportunityId).length > 0 ? true : undefined,
  );
  const before = await recorded(lead.customerId, opportunityId);
  expect(before).toEqual(['AccountOpened', 'ContactAdded', 'OpportunityOpened']);

  let forgotten = 0;
  await services.restartPipeline(async () => {
    await forgetPipelineGroups();
    forgotten = await forgetHandledConversions();
  });
  expect(forgotten).toBeGreaterThan(0);

  await waitFor('the redelivered conversion handled again and the projection replayed', async () => {
    const text = await (await fetch(`${services.pipeline.url}/metrics`)).text();
    return (
      metric(text, 'crm_consumer_processed_total', 'lead-conversion') >= 1 &&
      metric(text, 'crm_consumer_lag_messages', 'lead-conversion') === 0 &&
      metric(text, 'crm_consumer_skipped_duplicates_total', 'pipeline-read-model') >= 1
    );
  });
  expect(await recorded(lead.customerId, opportunityId)).toEqual(before);
  const account = await accountOf(services.pipeline, lead.customerId);
  expect(account.opportunities).toHaveLength(1);
  expect(account.contacts).toHaveLength(1);
  expect(published('AccountOpened', lead.customerId)).toHaveLength(1);
  expect(published('ContactAdded', lead.customerId)).toHaveLength(1);
  expect(published('OpportunityOpened', opportunityId)).toHaveLength(1);
  expect(services.integrator.rejected.map((r) => r.reason)).toEqual([]);
});
