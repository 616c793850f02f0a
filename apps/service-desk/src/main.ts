import 'reflect-metadata';
import { runService } from '@crm/service-kit';
import { ServiceDeskConfig } from './service-desk.config';
import { ServiceDeskModule } from './service-desk.module';

runService(
  ServiceDeskConfig,
  (config) => ServiceDeskModule.forRoot(config),
  {
    name: 'service-desk',
    title: 'CRM service desk',
    description: 'Retention: cases from every channel, SLA clocks in business hours, satisfaction.',
    version: '1',
    tags: {
      cases: 'Requests, complaints, returns and questions: conversation, status, SLA clocks, escalation',
      satisfaction: "The customer's rating of a solved case, through a signed single-use link",
      'service levels':
        'Business calendars and SLA policies, each change a new version from the moment it is published',
      'support team': 'Queues with their assignment method and skill, agents with their skills',
      knowledge: 'Knowledge base articles in versions and tags, full-text search for agents and customers',
      reports: 'Analyst queries: backlog, workload, SLA compliance, response time percentiles, CSAT and NPS',
    },
  },
  // A bad SLA_CALENDAR or SLA_POLICIES stops the start, not the first request.
  (config) => void config.policies,
);
