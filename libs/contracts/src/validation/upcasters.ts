import { campaignContentV1ToV2 } from '../marketing/campaign-events';
import type { EventContracts } from './event-contracts';
import type { Upcasters } from './event-parser';

/**
 * How consumers read the older versions of an event type: per type, from each version to the next,
 * a pure function of the data. Topics keep events for ever, so a consumer meets every version ever
 * published; `parseEvent` checks old data against its own version's schema, upcasts it, and answers
 * the newest version, so handlers are written for that one only.
 *
 * Publishing a v2 of `LeadConverted`: add `2: LeadConvertedV2` beside `1:` in the context's schemas,
 * write `LeadConverted: { 1: (v1) => ({ ...v1, newField: derivedFrom(v1) }) }` here, and run
 * `npm run contracts:generate`. Every version but the newest needs its upcaster (the parser refuses
 * to start without it).
 */
export const UPCASTERS: Upcasters<EventContracts> = {
  CampaignDrafted: { 1: campaignContentV1ToV2 },
  CampaignRevised: { 1: campaignContentV1ToV2 },
};
