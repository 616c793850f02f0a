/**
 * Public contract of the sales pipeline context: the events it publishes on `crm.pipeline.events`.
 * Amounts are decimal numbers rounded to the currency's minor unit (2 decimals); currencies are
 * ISO 4217 codes.
 */
import type { CustomerType } from '../leads/lead-events';

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export const CONTACT_ROLES = [
  'decision_maker',
  'economic_buyer',
  'influencer',
  'technical',
  'user',
  'other',
] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const LOSS_REASONS = [
  'price',
  'competitor',
  'no_budget',
  'no_decision',
  'timing',
  'product_fit',
  'other',
] as const;
export type LossReason = (typeof LOSS_REASONS)[number];

/** The customer's record: personal and company data, preferences, habits, demographics, psychographics. */
export interface AccountProfile {
  name: string;
  kind: 'company' | 'person';
  customerType: CustomerType;
  email?: string;
  phone?: string;
  industry?: string;
  companySize?: number;
  website?: string;
  address?: { street?: string; city?: string; postalCode?: string; country?: string };
  preferences?: { preferredChannel?: string; language?: string; contactTimes?: string };
  purchaseHabits?: { frequency?: string; averageOrderValue?: number; preferredProducts?: string[] };
  demographics?: {
    ageRange?: string;
    gender?: string;
    incomeRange?: string;
    education?: string;
    occupation?: string;
  };
  psychographics?: { interests?: string[]; opinions?: string[]; values?: string[]; lifestyle?: string };
}

export interface AccountOpenedV1 {
  accountId: string;
  customerId: string;
  profile: AccountProfile;
  ownerId?: string;
  /** The lead whose conversion opened the account, if any. */
  fromLeadId?: string;
  openedAt: string;
}

export interface AccountProfileUpdatedV1 {
  accountId: string;
  /** Only the fields that changed, with their new values. */
  changes: Partial<AccountProfile>;
  updatedAt: string;
}

export interface ContactAddedV1 {
  accountId: string;
  contactId: string;
  name: string;
  email?: string;
  phone?: string;
  role: ContactRole;
  title?: string;
  addedAt: string;
}

export interface ContactUpdatedV1 {
  accountId: string;
  contactId: string;
  changes: Partial<Pick<ContactAddedV1, 'name' | 'email' | 'phone' | 'role' | 'title'>>;
  updatedAt: string;
}

/** A won opportunity recorded on the customer's account (what decides acquisition vs expansion). */
export interface AccountWinRecordedV1 {
  accountId: string;
  opportunityId: string;
  amount: number;
  currency: string;
  wonAt: string;
}

export interface OpportunityOpenedV1 {
  opportunityId: string;
  accountId: string;
  customerId: string;
  name: string;
  ownerId: string;
  stage: string;
  probability: number;
  forecastCategory: ForecastCategory;
  amount?: number;
  currency: string;
  expectedCloseDate?: string;
  fromLeadId?: string;
  openedAt: string;
}

export interface OpportunityStageChangedV1 {
  opportunityId: string;
  from: string;
  to: string;
  probability: number;
  forecastCategory: ForecastCategory;
  changedAt: string;
}

export interface OpportunityDetailsChangedV1 {
  opportunityId: string;
  changes: Partial<{
    name: string;
    amount: number;
    currency: string;
    expectedCloseDate: string;
    forecastCategory: ForecastCategory;
    ownerId: string;
  }>;
  changedAt: string;
}

export interface OpportunityWonV1 {
  opportunityId: string;
  accountId: string;
  customerId: string;
  ownerId: string;
  amount: number;
  currency: string;
  quoteId?: string;
  previousStage: string;
  openedAt: string;
  wonAt: string;
}

export interface OpportunityLostV1 {
  opportunityId: string;
  accountId: string;
  customerId: string;
  ownerId: string;
  reason: LossReason;
  notes?: string;
  previousStage: string;
  openedAt: string;
  lostAt: string;
}

export interface QuoteLine {
  product: string;
  quantity: number;
  unitPrice: number;
  /** Percentage, 0 to 100. */
  discountPercent: number;
}

export interface QuoteTotals {
  subtotal: number;
  discount: number;
  total: number;
  /** The largest line discount, which decides whether a manager must approve. */
  maxDiscountPercent: number;
}

export interface QuoteDraftedV1 {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  currency: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  approvalRequired: boolean;
  draftedAt: string;
}

export interface QuoteRevisedV1 {
  quoteId: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  approvalRequired: boolean;
  revisedAt: string;
}

export interface QuoteDiscountApprovedV1 {
  quoteId: string;
  approvedBy: string;
  maxDiscountPercent: number;
  approvedAt: string;
}

export interface QuoteSentV1 {
  quoteId: string;
  opportunityId: string;
  total: number;
  currency: string;
  sentAt: string;
}

export interface QuoteAcceptedV1 {
  quoteId: string;
  opportunityId: string;
  total: number;
  currency: string;
  acceptedAt: string;
}

export interface QuoteRejectedV1 {
  quoteId: string;
  opportunityId: string;
  reason?: string;
  rejectedAt: string;
}

export interface PipelineEventMap {
  AccountOpened: AccountOpenedV1;
  AccountProfileUpdated: AccountProfileUpdatedV1;
  ContactAdded: ContactAddedV1;
  ContactUpdated: ContactUpdatedV1;
  AccountWinRecorded: AccountWinRecordedV1;
  OpportunityOpened: OpportunityOpenedV1;
  OpportunityStageChanged: OpportunityStageChangedV1;
  OpportunityDetailsChanged: OpportunityDetailsChangedV1;
  OpportunityWon: OpportunityWonV1;
  OpportunityLost: OpportunityLostV1;
  QuoteDrafted: QuoteDraftedV1;
  QuoteRevised: QuoteRevisedV1;
  QuoteDiscountApproved: QuoteDiscountApprovedV1;
  QuoteSent: QuoteSentV1;
  QuoteAccepted: QuoteAcceptedV1;
  QuoteRejected: QuoteRejectedV1;
}

export type PipelineEventType = keyof PipelineEventMap;

export const PIPELINE_EVENT_VERSIONS: Record<PipelineEventType, number> = {
  AccountOpened: 1,
  AccountProfileUpdated: 1,
  ContactAdded: 1,
  ContactUpdated: 1,
  AccountWinRecorded: 1,
  OpportunityOpened: 1,
  OpportunityStageChanged: 1,
  OpportunityDetailsChanged: 1,
  OpportunityWon: 1,
  OpportunityLost: 1,
  QuoteDrafted: 1,
  QuoteRevised: 1,
  QuoteDiscountApproved: 1,
  QuoteSent: 1,
  QuoteAccepted: 1,
  QuoteRejected: 1,
};
