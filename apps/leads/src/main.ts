import 'reflect-metadata';
import { runService } from '@crm/service-kit';
import { LeadsConfig } from './leads.config';
import { LeadsModule } from './leads.module';

runService(LeadsConfig, (config) => LeadsModule.forRoot(config), {
  name: 'leads',
  title: 'CRM leads',
  description: 'Interest and engagement: capture, engage, score, qualify, assign and convert leads.',
  version: '1',
  tags: { leads: 'Leads from first interest to conversion, and the queries of their read model' },
});
