import { randomUUID } from 'node:crypto';
import type { InProcessService } from '@crm/test-support';
import { OWNER_ROTATION_STREAM } from '../src/assignment/round-robin';
import { aLead, OWNERS, startLeads, workingLead } from './leads.given';

jest.setTimeout(60_000);

/**
 * The commands of the leads service over HTTP, in process: its real module, validation and error
 * mapping on the real event store; given the streams, when the request, then the answer and
 * exactly the events appended (none for a refusal).
 */
let leads: InProcessService;
beforeAll(async () => (leads = await startLeads()));
afterAll(() => leads?.stop());

describe('capture', () => {
  it('normalises the lead, claims its e-mail, gives it the next owner and answers its revision', async () => {
    const { response, events } = await leads
      .when(
        'POST',
        '/leads',
        {
          personName: '  Ana   Pérez ',
          companyName: 'Acme SA',
          email: '  Ana.Perez@Example.COM ',
          phone: '+34 600 12 34 56',
          channel: 'web_form',
          source: { utmSource: 'newsletter' },
          companySize: 120,
        },
        { 'x-correlation-id': 'corr-capture' },
      )
      .then({
        status: 201,
        body: { status: 'new', revision: 2, ownerId: expect.stringMatching(/^rep-/) },
        headers: { etag: '"2"', location: /^\/leads\/[0-9a-f-]{36}$/ },
        events: [
          { type: 'LeadEmailClaimed', stream: /^leadEmail-[0-9a-f]{64}$/ },
          { type: 'AssignmentTicketTaken', stream: OWNER_ROTATION_STREAM },
          {
            type: 'LeadCaptured',
            data: {
              personName: 'Ana Pérez',
              email: 'ana.perez@example.com',
              phone: '+34600123456',
              source: { utmSource: 'newsletter' },
              customerType: 'prospect',
            },
          },
          { type: 'CustomerLifecycleStageReached', data: { stage: 'interest' } },
          { type: 'LeadAssigned', data: { method: 'round_robin' } },
        ],
      });
    const { id, customerId, ownerId } = response.body;
    expect(events.slice(2).map((e) => e.streamId)).toEqual([`lead-${id}`, `lead-${id}`, `lead-${id}`]);
    expect(events[4].data).toEqual({ leadId: id, ownerId, method: 'round_robin' });
    expect(events.every((e) => e.metadata.correlationId === 'corr-capture')).toBe(true);
    expect(events[2].metadata).toMatchObject({ customerId, schemaVersion: 1 });
  });

  it('names every offending field of a bad capture with 400', async () => {
    const { response } = await leads
      .when('POST', '/leads', {
        personName: 'Bob',
        email: 'not-an-email',
        channel: 'carrier-pigeon',
        companySize: -3,
        favouriteColour: 'blue',
      })
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    const fields = response.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['channel', 'companySize', 'email', 'favouriteColour']);
  });

  it('refuses a second lead with the same e-mail with 409 naming the lead that has it', async () => {
    const ana = aLead();
    const [claim, claimed] = ana.emailClaim();
    await leads
      .given({ [claim]: claimed, [ana.stream]: [ana.captured(), ana.interest()] })
      .when('POST', '/leads', {
        companyName: 'Other',
        email: ` ${ana.email.toUpperCase()}`,
        channel: 'phone',
      })
      .then({
        status: 409,
        problem: {
          type: 'https://crm.example/problems/lead-email-taken',
          title: 'Lead email taken',
          code: 'LEAD_EMAIL_TAKEN',
          details: { existingLeadId: ana.leadId },
        },
      });
  });
});

describe('qualify and convert', () => {
  it('refuses to qualify a lead below the threshold with 422 and the breakdown of its score', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: [lead.captured(), lead.interest(), lead.assigned()] })
      .when('POST', `${lead.path}/qualify`)
      .then({
        status: 422,
        problem: {
          code: 'LEAD_SCORE_TOO_LOW',
          details: {
            score: 35,
            threshold: 40,
            breakdown: { channel: 25, customerType: 10, engagements: 0, companySize: 0 },
          },
        },
      });
  });

  it('qualifies a lead that reaches the threshold, with its score', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: workingLead(lead) })
      .when('POST', `${lead.path}/qualify`)
      .then({
        status: 200,
        body: { status: 'qualified', score: 45, revision: 5 },
        events: [{ type: 'LeadQualified', stream: lead.stream, data: { score: 45 } }],
      });
  });

  it('converts a qualified lead, handing its owner and score to the pipeline', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: [...workingLead(lead), lead.qualified()] })
      .when('POST', `${lead.path}/convert`)
      .then({
        status: 200,
        body: { status: 'converted', customerId: lead.customerId },
        events: [
          {
            type: 'LeadConverted',
            data: { leadId: lead.leadId, customerId: lead.customerId, ownerId: OWNERS[0], score: 45 },
          },
        ],
      });
  });

  it('refuses to convert a disqualified lead with 422', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: [...workingLead(lead), lead.disqualified()] })
      .when('POST', `${lead.path}/convert`)
      .then({ status: 422, problem: { code: 'LEAD_DISQUALIFIED' } });
  });

  it('refuses to convert a lead that is not qualified with 422', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: workingLead(lead) })
      .when('POST', `${lead.path}/convert`)
      .then({ status: 422, problem: { code: 'LEAD_NOT_QUALIFIED', details: { status: 'working' } } });
  });

  it('refuses to disqualify a converted lead with 422', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: [...workingLead(lead), lead.qualified(), lead.converted()] })
      .when('POST', `${lead.path}/disqualify`, { reason: 'no_budget' })
      .then({ status: 422, problem: { code: 'LEAD_ALREADY_CONVERTED' } });
  });
});

describe('optimistic concurrency', () => {
  it('records an engagement when If-Match is the current revision; the first one starts work', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: [lead.captured(), lead.interest(), lead.assigned()] })
      .when(
        'POST',
        `${lead.path}/engagements`,
        { kind: 'call', channel: 'phone', summary: 'intro' },
        { 'if-match': '"2"' },
      )
      .then({
        status: 201,
        body: { status: 'working', revision: 4 },
        headers: { etag: '"4"' },
        events: [
          { type: 'LeadEngagementRecorded', data: { kind: 'call', channel: 'phone', summary: 'intro' } },
          { type: 'LeadWorkStarted' },
        ],
      });
  });

  it('answers 412 to a stale If-Match, with both revisions, and changes nothing', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: workingLead(lead) })
      .when('POST', `${lead.path}/qualify`, undefined, {
        'if-match': '"2"',
        'x-correlation-id': 'corr-stale',
      })
      .then({
        status: 412,
        problem: {
          type: 'https://crm.example/problems/precondition-failed',
          title: 'Precondition failed',
          code: 'PRECONDITION_FAILED',
          details: { expectedRevision: 2, actualRevision: 4 },
          correlationId: 'corr-stale',
        },
      });
  });
});

describe('assignment', () => {
  it('assigns owners in turn, each turn a ticket of the shared rotation', async () => {
    const first = aLead();
    const second = aLead();
    const given = { [first.stream]: [first.captured()], [second.stream]: [second.captured()] };
    const turn = async (lead: typeof first) => {
      const { response, events } = await leads
        .given(lead === first ? given : {})
        .when('POST', `${lead.path}/assign`, {})
        .then({
          status: 200,
          events: [
            { type: 'AssignmentTicketTaken', stream: OWNER_ROTATION_STREAM, data: { leadId: lead.leadId } },
            { type: 'LeadAssigned', stream: lead.stream, data: { method: 'round_robin' } },
          ],
        });
      const ticket = events[0].revision;
      expect(response.body.ownerId).toBe(OWNERS[ticket % OWNERS.length]);
      return ticket;
    };
    const ticket = await turn(first);
    expect(await turn(second)).toBe(ticket + 1);
  });

  it('refuses to assign a closed lead with 422, without taking a turn', async () => {
    const lead = aLead();
    await leads
      .given({ [lead.stream]: [...workingLead(lead), lead.disqualified()] })
      .when('POST', `${lead.path}/assign`, {})
      .then({ status: 422, problem: { code: 'LEAD_CLOSED', details: { status: 'disqualified' } } });
  });

  it('answers 404 for a lead that does not exist and 400 for an id that is not one', async () => {
    await leads
      .when('POST', `/leads/${randomUUID()}/assign`, { ownerId: 'rep-9' })
      .then({ status: 404, problem: { code: 'LEAD_NOT_FOUND' } });
    await leads
      .when('POST', '/leads/not-a-uuid/qualify')
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
  });
});
