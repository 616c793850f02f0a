import { CustomerProfile1764400000000 } from './1764400000000-customer-profile';
import { CampaignDelivery1764500000000 } from './1764500000000-campaign-delivery';
import { CampaignResponses1764600000000 } from './1764600000000-campaign-responses';
import { StaticLists1764700000000 } from './1764700000000-static-lists';
import { CampaignDeliveryRetries1764800000000 } from './1764800000000-campaign-delivery-retries';
import { ConsentReadModel1764900000000 } from './1764900000000-consent-read-model';
import { CampaignDeliveryClaimIndex1765200000000 } from './1765200000000-campaign-delivery-claim-index';

/** The schema `marketing`'s migrations, oldest first: a new one is a file here and a line below. */
export const MARKETING_MIGRATIONS = [
  CustomerProfile1764400000000,
  CampaignDelivery1764500000000,
  CampaignResponses1764600000000,
  StaticLists1764700000000,
  CampaignDeliveryRetries1764800000000,
  ConsentReadModel1764900000000,
  CampaignDeliveryClaimIndex1765200000000,
];
