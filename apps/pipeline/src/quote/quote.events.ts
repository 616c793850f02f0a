import type { DomainEvent } from '@crm/decider';
import { PIPELINE_EVENT_VERSIONS, type PipelineEventMap } from '@crm/contracts';

type QuoteEventMap = Pick<
  PipelineEventMap,
  'QuoteDrafted' | 'QuoteRevised' | 'QuoteDiscountApproved' | 'QuoteSent' | 'QuoteAccepted' | 'QuoteRejected'
>;

/** Every event a quote stream may hold (all from the pipeline contract). */
export type QuoteEvent = {
  [K in keyof QuoteEventMap]: DomainEvent<K, QuoteEventMap[K]>;
}[keyof QuoteEventMap];

export const QUOTE_SCHEMA_VERSIONS: Record<QuoteEvent['type'], number> = {
  QuoteDrafted: PIPELINE_EVENT_VERSIONS.QuoteDrafted,
  QuoteRevised: PIPELINE_EVENT_VERSIONS.QuoteRevised,
  QuoteDiscountApproved: PIPELINE_EVENT_VERSIONS.QuoteDiscountApproved,
  QuoteSent: PIPELINE_EVENT_VERSIONS.QuoteSent,
  QuoteAccepted: PIPELINE_EVENT_VERSIONS.QuoteAccepted,
  QuoteRejected: PIPELINE_EVENT_VERSIONS.QuoteRejected,
};

export const quoteStreamId = (quoteId: string) => `quote-${quoteId}`;
