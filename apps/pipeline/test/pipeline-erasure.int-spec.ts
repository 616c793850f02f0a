import { publishedEvents, type InProcessService, type ProjectionSpec } from '@crm/test-support';
import { PipelineErasureProjection } from '../src/read-model/pipeline-erasure.projection';
import { PipelineReadModelProjection } from '../src/read-model/pipeline.projection';
import { anAccount, anOpportunity, startPipeline } from './pipeline.given';

jest.setTimeout(60_000);

/**
 * The pipeline-erasure projection: given an account with a contact and a won opportunity in the
 * read model, when CustomerErased arrives on crm.leads.events, then every personal column of that
 * customer reads `[erased]` (the profile's personal fields too) and every amount, stage and count
 * stays; other customers are untouched.
 */
let pipeline: InProcessService;
let readModel: ProjectionSpec;
let erasure: ProjectionSpec;
beforeAll(async () => {
  pipeline = await startPipeline();
  readModel = await pipeline.projection('pipeline-read-model', [PipelineReadModelProjection]);
  erasure = await pipeline.projection('pipeline-erasure', [PipelineErasureProjection]);
});
afterAll(() => pipeline?.stop());

async function customerWithWin(name: string) {
  const account = anAccount(name);
  const opportunity = anOpportunity(account, { amount: 800 });
  const opened = account.opened();
  (opened.data as { profile: object }).profile = {
    name,
    kind: 'person',
    customerType: 'prospect',
    email: `${name.split(' ')[0].toLowerCase()}@home.example`,
    address: { street: '1 Rue Haute', city: 'Lyon', country: 'FR' },
    psychographics: { interests: ['sailing'] },
  };
  await readModel.given(
    ...publishedEvents('pipeline', account.accountId, [
      opened,
      account.contactAdded({ name, email: 'c@home.example' }),
      account.winRecorded(opportunity.opportunityId, 800),
    ]),
    ...publishedEvents('pipeline', opportunity.opportunityId, [opportunity.opened(), opportunity.won(800)]),
  );
  return { account, opportunity };
}

const rowsOf = async (customerId: string) => ({
  account: await readModel.rows(
    'select name, email, won_revenue, profile from pipeline.account where customer_id = $1',
    [customerId],
  ),
  contacts: await readModel.rows(
    'select c.name, c.email, c.role from pipeline.contact c join pipeline.account a using (account_id) where a.customer_id = $1',
    [customerId],
  ),
  opportunities: await readModel.rows(
    'select name, status, amount from pipeline.opportunity where customer_id = $1',
    [customerId],
  ),
});

describe('pipeline-erasure projection', () => {
  it('given CustomerErased, then the customer reads [erased] everywhere in the read model, figures unchanged', async () => {
    const { account } = await customerWithWin('Lea Marchetti');
    const other = await customerWithWin('Joan Miro');
    const erased = {
      customerId: account.customerId,
      reason: 'request 11',
      erasedAt: '2026-11-29T09:00:00.000Z',
    };
    await erasure.given(
      ...publishedEvents('leads', account.customerId, [{ type: 'CustomerErased', data: erased }]),
    );

    expect(await rowsOf(account.customerId)).toEqual({
      account: [
        {
          name: '[erased]',
          email: '[erased]',
          won_revenue: '800',
          profile: {
            name: '[erased]',
            kind: 'person',
            customerType: 'prospect',
            email: '[erased]',
            address: { street: '[erased]', city: '[erased]', country: 'FR' },
            psychographics: { interests: ['[erased]'] },
          },
        },
      ],
      contacts: [{ name: '[erased]', email: '[erased]', role: 'decision_maker' }],
      opportunities: [{ name: '[erased]', status: 'won', amount: '800' }],
    });
    expect((await rowsOf(other.account.customerId)).contacts).toEqual([
      { name: 'Joan Miro', email: 'c@home.example', role: 'decision_maker' },
    ]);
  });
});
