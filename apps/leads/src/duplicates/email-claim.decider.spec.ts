import { deciderSpec } from '@crm/decider/testing';
import { emailClaimDecider, emailClaimStreamId } from './email-claim.decider';

const spec = deciderSpec(emailClaimDecider);
const claimed = { type: 'LeadEmailClaimed' as const, data: { leadId: 'a', customerId: 'c' } };

describe('e-mail claim', () => {
  it('lets the first lead claim an e-mail', () =>
    spec
      .given([])
      .when({ type: 'ClaimEmail', data: { leadId: 'a', customerId: 'c' } })
      .then([claimed]));
  it('tells a second lead who owns the e-mail', () =>
    spec
      .given([claimed])
      .when({ type: 'ClaimEmail', data: { leadId: 'b', customerId: 'd' } })
      .thenThrows('LEAD_EMAIL_TAKEN'));
  it('is idempotent for the lead that owns it', () =>
    spec
      .given([claimed])
      .when({ type: 'ClaimEmail', data: { leadId: 'a', customerId: 'c' } })
      .thenNothingHappens());
  it('hands an orphaned claim to a new lead, naming the lead it replaces', () =>
    spec
      .given([claimed])
      .when({ type: 'ReclaimOrphanedEmail', data: { leadId: 'b', customerId: 'd', orphanedLeadId: 'a' } })
      .then([{ type: 'LeadEmailClaimed', data: { leadId: 'b', customerId: 'd', replacesLeadId: 'a' } }]));
  it('refuses a takeover once another lead took the claim over first', () =>
    spec
      .given([
        claimed,
        { type: 'LeadEmailClaimed', data: { leadId: 'b', customerId: 'd', replacesLeadId: 'a' } },
      ])
      .when({ type: 'ReclaimOrphanedEmail', data: { leadId: 'e', customerId: 'f', orphanedLeadId: 'a' } })
      .thenThrows('LEAD_EMAIL_TAKEN'));
  it('frees the e-mail of an erased customer, so that a new capture may claim it', () => {
    const released = {
      type: 'LeadEmailReleased' as const,
      data: { leadId: 'a', customerId: 'c', reason: 'customer_erased' as const },
    };
    spec
      .given([claimed])
      .when({ type: 'ReleaseErasedEmail', data: { leadId: 'a', customerId: 'c' } })
      .then([released]);
    spec
      .given([claimed, released])
      .when({ type: 'ClaimEmail', data: { leadId: 'b', customerId: 'd' } })
      .then([{ type: 'LeadEmailClaimed', data: { leadId: 'b', customerId: 'd' } }]);
  });
  it('keeps the claim of a later lead when an earlier customer is erased', () =>
    spec
      .given([claimed])
      .when({ type: 'ReleaseErasedEmail', data: { leadId: 'z', customerId: 'y' } })
      .thenNothingHappens());
  it('keeps personal data out of stream names', () =>
    expect(emailClaimStreamId('ana@acme.example')).not.toContain('acme'));
});
