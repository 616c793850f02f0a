import { Injectable } from '@nestjs/common';
import { DomainError } from '@crm/decider';
import type { CustomerDataExporter } from '@crm/service-kit';
import type { Customer360View } from './customer.dto';
import { CustomerQueries } from './customer.queries';

/**
 * What the data subject is told about this part (GDPR art. 15(1)(h): the existence of profiling
 * and meaningful information about its logic). The thresholds are those of src/metrics.
 */
export const CUSTOMER_360_DESCRIPTION = [
  'The customer 360 of analytics, as it reads now: read models built from the events of every context (leads, pipeline, service, marketing), no data entered in analytics itself.',
  'profile: the latest name, e-mail and company seen in those events (`[erased]` after an erasure) and attributes (customer type, channel of the lead, country, owner, cohort month: the month of the first interest stage).',
  'stageHistory / currentStage: the lifecycle stages the customer reached, when, which context decided each and on which record.',
  'figures (profiling, computed on each request from the facts up to now and shown to analysts and managers; analytics publishes nothing, so no other service acts on them automatically):',
  'historic value: sum, number and average of won orders, first and last purchase, lifespan;',
  'open cases and complaints, last CSAT and NPS answers;',
  'rfm: recency (days since the last won order), frequency (won orders), monetary (their sum), each scored 1-5 by quintile among every customer with a won order, and the named segment from R and the mean of F and M (e.g. Champions, Loyal, At risk);',
  'churnRisk: a score 0-100, the sum of five capped signals (overdue against the usual interval between orders up to 35, open complaints 10 each up to 20, SLA breaches in the last 90 days 5 each up to 15, a latest NPS answer of 0-6: 15, falling order frequency over the last 180 days up to 15), level high from 60, medium from 30, with the reasons behind every point.',
  'Predicted customer value (BG/NBD and Gamma-Gamma models fitted on all customers) is computed only for the aggregate customer-value dashboard and its top customers, on request; it is not stored per customer.',
].join(' ');

/**
 * The analytics part of the data subject export: the customer 360 (profile, stages, figures) as
 * the 360 route answers it now, so the export shows exactly what analysts are shown; null when
 * analytics knows nothing of the customer.
 */
@Injectable()
export class Customer360Exporter implements CustomerDataExporter {
  readonly part = 'customer-360';
  readonly describe = CUSTOMER_360_DESCRIPTION;

  constructor(private readonly customers: CustomerQueries) {}

  async export(customerId: string): Promise<Customer360View | null> {
    return this.customers.view360(customerId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'CUSTOMER_NOT_FOUND') return null;
      throw error;
    });
  }
}
