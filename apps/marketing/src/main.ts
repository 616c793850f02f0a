import 'reflect-metadata';
import { runService } from '@crm/service-kit';
import { MarketingConfig } from './marketing.config';
import { MarketingModule } from './marketing.module';

runService(MarketingConfig, (config) => MarketingModule.forRoot(config), {
  name: 'marketing',
  title: 'CRM marketing',
  description:
    'Interest, retention and expansion: the consent ledger per purpose and channel (bitemporal, double opt-in for e-mail).',
  version: '1',
  tags: {
    consents:
      "The customer's consent ledger: grants and withdrawals with their lawful basis and evidence, answered as of any time as known at any time",
  },
});
