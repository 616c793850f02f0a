import { ERASED } from '@crm/contracts';
import type { InProcessService } from '@crm/test-support';
import { customerStreamId } from '../src/customer/customer-erasure.decider';
import { aLead, startLeads } from './leads.given';

jest.setTimeout(60_000);

/**
 * The erasure request over HTTP, in process (real module and event store, no Kafka): given the
 * customer's streams, when an admin asks, then CustomerErased is appended, the e-mail claim is
 * freed and the customer's personal values read `[erased]` from then on; the events stay.
 */
let leads: InProcessService;
beforeAll(async () => (leads = await startLeads()));
afterAll(() => leads?.stop());

describe('erasure of a customer', () => {
  it('frees their e-mail, appends CustomerErased, and leaves their lead events in place, unreadable', async () => {
    const ana = aLead();
    const [claim, claimed] = ana.emailClaim();
    const { response } = await leads
      .given({ [claim]: claimed, [ana.stream]: [ana.captured(), ana.interest()] })
      .when('POST', `/customers/${ana.customerId}/erasure`, { reason: 'GDPR art. 17 request 42' })
      .then({
        status: 200,
        body: { customerId: ana.customerId, alreadyErased: false },
        events: [
          {
            type: 'LeadEmailReleased',
            stream: claim,
            data: { leadId: ana.leadId, reason: 'customer_erased' },
          },
          {
            type: 'CustomerErased',
            stream: customerStreamId(ana.customerId),
            data: { customerId: ana.customerId, reason: 'GDPR art. 17 request 42' },
          },
        ],
      });
    expect(response.body.erasedAt).toEqual(expect.any(String));

    const [captured] = await leads.store.readStream(ana.stream);
    expect(captured.data).toMatchObject({ leadId: ana.leadId, personName: ERASED, email: ERASED });
  });

  it('answers a repeated request with the first erasure and appends nothing', async () => {
    const bo = aLead();
    await leads.seed({ [bo.stream]: [bo.captured()] });
    const first = await leads.request('POST', `/customers/${bo.customerId}/erasure`, { reason: 'request 1' });
    expect(first.status).toBe(200);
    await leads
      .given({})
      .when('POST', `/customers/${bo.customerId}/erasure`, { reason: 'request 2' })
      .then({ status: 200, body: { ...first.body, alreadyErased: true }, events: [] });
  });

  it('answers 404 for a customer no service holds personal data about, and appends nothing', async () => {
    await leads
      .given({})
      .when('POST', `/customers/${aLead().customerId}/erasure`, { reason: 'request 3' })
      .then({ status: 404, problem: { code: 'CUSTOMER_NOT_FOUND' }, events: [] });
  });

  it('refuses a request that is not about a customer id, or has no reason, and appends nothing', async () => {
    await leads
      .given({})
      .when('POST', '/customers/not-an-id/erasure', { reason: '  ' })
      .then({
        status: 400,
        problem: { code: 'VALIDATION_FAILED' },
        events: [],
      });
  });
});
