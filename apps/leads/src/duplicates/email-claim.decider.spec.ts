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
  it('keeps personal data out of stream names', () =>
    expect(emailClaimStreamId('ana@acme.example')).not.toContain('acme'));
});
