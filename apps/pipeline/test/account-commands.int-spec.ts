import { randomUUID } from 'node:crypto';
import type { InProcessService } from '@crm/test-support';
import { anAccount, startPipeline } from './pipeline.given';

jest.setTimeout(60_000);

/**
 * Accounts and contacts over HTTP, in process (real module and event store, no Kafka): given the
 * streams, when the request, then the answer and exactly the events appended (none for a refusal).
 */
let pipeline: InProcessService;
beforeAll(async () => (pipeline = await startPipeline()));
afterAll(() => pipeline?.stop());

const fieldsOf = (body: { errors: { field: string }[] }) => body.errors.map((e) => e.field).sort();

describe('opening an account', () => {
  it("opens the customer's account with a new customer id; a prospect unless said", async () => {
    const { response, events } = await pipeline
      .when('POST', '/accounts', {
        name: '  Acme SA ',
        kind: 'company',
        email: 'info@acme.example',
        companySize: 40,
        address: { city: 'Madrid' },
        ownerId: 'rep-1',
      })
      .then({
        status: 201,
        body: { name: 'Acme SA', lifecycleStage: 'interest', revision: 0, contacts: [] },
        headers: { etag: '"0"', location: /^\/accounts\/[0-9a-f-]{36}$/ },
        events: [
          {
            type: 'AccountOpened',
            data: {
              ownerId: 'rep-1',
              profile: {
                name: 'Acme SA',
                kind: 'company',
                customerType: 'prospect',
                email: 'info@acme.example',
                companySize: 40,
                address: { city: 'Madrid' },
              },
            },
          },
        ],
      });
    const { id, customerId } = response.body;
    expect(customerId).toBe(id);
    expect(events[0]).toMatchObject({ streamId: `account-${id}`, data: { accountId: id, customerId: id } });
  });

  it('answers 400 naming the required fields it lacks', async () => {
    const { response } = await pipeline
      .when('POST', '/accounts', { email: 'info@acme.example' })
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(fieldsOf(response.body)).toEqual(['kind', 'name']);
  });

  it('answers 400 naming every malformed field, nested ones by their path', async () => {
    const { response } = await pipeline
      .when('POST', '/accounts', {
        name: '   ',
        kind: 'robot',
        email: 'not-an-email',
        phone: '12',
        website: 'not a url',
        companySize: 0,
        address: { city: 7 },
        customerType: null,
        favouriteColour: 'blue',
      })
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(fieldsOf(response.body)).toEqual([
      'address.city',
      'companySize',
      'customerType',
      'email',
      'favouriteColour',
      'kind',
      'name',
      'phone',
      'website',
    ]);
  });

  it('answers 400 to a body that is not JSON and 415 to one of another media type', async () => {
    const url = `${pipeline.url}/accounts`;
    const before = await pipeline.lastPosition();
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "Acme",',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Acme&kind=company',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await pipeline.eventsAfter(before)).toEqual([]);
  });
});

describe('changing an account', () => {
  it('records only the fields that changed', async () => {
    const account = anAccount();
    await pipeline
      .given({ [account.stream]: [account.opened()] })
      .when('PATCH', account.path, { name: 'Acme SA', industry: 'retail' }, { 'if-match': '"0"' })
      .then({
        status: 200,
        body: { revision: 1 },
        events: [{ type: 'AccountProfileUpdated', data: { changes: { industry: 'retail' } } }],
      });
  });

  it('answers 412 to a stale If-Match with both revisions', async () => {
    const account = anAccount();
    await pipeline
      .given({ [account.stream]: [account.opened(), account.contactAdded({ name: 'Olga' })] })
      .when('PATCH', account.path, { industry: 'retail' }, { 'if-match': '"0"' })
      .then({
        status: 412,
        problem: { code: 'PRECONDITION_FAILED', details: { expectedRevision: 0, actualRevision: 1 } },
      });
  });

  it('answers 404 for an account that does not exist', () =>
    pipeline
      .when('PATCH', `/accounts/${randomUUID()}`, { industry: 'retail' })
      .then({ status: 404, problem: { code: 'ACCOUNT_NOT_FOUND' } }));
});

describe('contacts', () => {
  it('adds a contact with its role; its e-mail is kept lower-cased', async () => {
    const account = anAccount();
    await pipeline
      .given({ [account.stream]: [account.opened()] })
      .when('POST', `${account.path}/contacts`, {
        name: 'Olga Ruiz',
        email: 'Olga@Acme.example',
        role: 'decision_maker',
      })
      .then({
        status: 201,
        body: { contacts: [expect.objectContaining({ name: 'Olga Ruiz', role: 'decision_maker' })] },
        events: [{ type: 'ContactAdded', data: { email: 'olga@acme.example', role: 'decision_maker' } }],
      });
  });

  it('refuses a second contact with the same e-mail with 409', async () => {
    const account = anAccount();
    await pipeline
      .given({
        [account.stream]: [
          account.opened(),
          account.contactAdded({ name: 'Olga', email: 'olga@acme.example' }),
        ],
      })
      .when('POST', `${account.path}/contacts`, {
        name: 'Other',
        email: 'OLGA@acme.example',
        role: 'user',
      })
      .then({ status: 409, problem: { code: 'CONTACT_EMAIL_TAKEN' } });
  });

  it('answers 404 for a contact the account does not have', async () => {
    const account = anAccount();
    await pipeline
      .given({ [account.stream]: [account.opened()] })
      .when('PATCH', `${account.path}/contacts/${randomUUID()}`, { title: 'CTO' })
      .then({ status: 404, problem: { code: 'CONTACT_NOT_FOUND' } });
  });
});
