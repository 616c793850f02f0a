/**
 * Public contract of the sales pipeline context: the events it publishes on `crm.pipeline.events`.
 * Amounts are decimal numbers rounded to the currency's minor unit (2 decimals); currencies are
 * ISO 4217 codes. Each payload is declared once, as a TypeBox schema (type and run-time check).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CompanySize, CustomerTypeSchema } from '../leads/lead-events';
import { Currency, NonNegative, Personal, StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';

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

const Forecast = StringEnum(FORECAST_CATEGORIES);
const Strings = () => Type.Optional(Type.Array(Type.String()));
const Str = () => Type.Optional(Type.String());
/** Optional personal data (sealed on the wire). */
const PersonalStr = () => Type.Optional(Personal(Type.String()));
const PersonalStrings = () => Type.Optional(Type.Array(Personal(Type.String())));
/** Win probability in percent. */
const Probability = () => Type.Number({ minimum: 0, maximum: 100 });

/** The customer's record: personal and company data, preferences, habits, demographics, psychographics. */
export const AccountProfile = Type.Object({
  /** A person's name, or a company's: personal data either way (a sole trader's company is a person). */
  name: Personal(Text()),
  kind: StringEnum(['company', 'person'] as const),
  customerType: CustomerTypeSchema,
  email: Type.Optional(Personal(Text())),
  phone: Type.Optional(Personal(Text())),
  industry: Str(),
  companySize: Type.Optional(CompanySize()),
  website: Str(),
  address: Type.Optional(
    Type.Object({ street: PersonalStr(), city: PersonalStr(), postalCode: PersonalStr(), country: Str() }),
  ),
  preferences: Type.Optional(
    Type.Object({ preferredChannel: Str(), language: Str(), contactTimes: PersonalStr() }),
  ),
  purchaseHabits: Type.Optional(
    Type.Object({
      frequency: Str(),
      averageOrderValue: Type.Optional(NonNegative()),
      preferredProducts: Strings(),
    }),
  ),
  demographics: Type.Optional(
    Type.Object({
      ageRange: PersonalStr(),
      gender: PersonalStr(),
      incomeRange: PersonalStr(),
      education: PersonalStr(),
      occupation: PersonalStr(),
    }),
  ),
  psychographics: Type.Optional(
    Type.Object({
      interests: PersonalStrings(),
      opinions: PersonalStrings(),
      values: PersonalStrings(),
      lifestyle: PersonalStr(),
    }),
  ),
});
export type AccountProfile = Static<typeof AccountProfile>;

export const AccountOpenedV1 = Type.Object({
  accountId: Uuid(),
  customerId: Uuid(),
  profile: AccountProfile,
  ownerId: Type.Optional(Text()),
  /** The lead whose conversion opened the account, if any. */
  fromLeadId: Type.Optional(Uuid()),
  openedAt: Timestamp(),
});
export type AccountOpenedV1 = Static<typeof AccountOpenedV1>;

export const AccountProfileUpdatedV1 = Type.Object({
  accountId: Uuid(),
  /** Only the fields that changed, with their new values. */
  changes: Type.Partial(AccountProfile),
  updatedAt: Timestamp(),
});
export type AccountProfileUpdatedV1 = Static<typeof AccountProfileUpdatedV1>;

const ContactFields = Type.Object({
  name: Personal(Text()),
  email: Type.Optional(Personal(Text())),
  phone: Type.Optional(Personal(Text())),
  role: StringEnum(CONTACT_ROLES),
  title: Str(),
});

export const ContactAddedV1 = Type.Composite([
  Type.Object({ accountId: Uuid(), contactId: Uuid() }),
  ContactFields,
  Type.Object({ addedAt: Timestamp() }),
]);
export type ContactAddedV1 = Static<typeof ContactAddedV1>;

export const ContactUpdatedV1 = Type.Object({
  accountId: Uuid(),
  contactId: Uuid(),
  changes: Type.Partial(ContactFields),
  updatedAt: Timestamp(),
});
export type ContactUpdatedV1 = Static<typeof ContactUpdatedV1>;

/** A won opportunity recorded on the customer's account (what decides acquisition vs expansion). */
export const AccountWinRecordedV1 = Type.Object({
  accountId: Uuid(),
  opportunityId: Uuid(),
  amount: NonNegative(),
  currency: Currency(),
  wonAt: Timestamp(),
});
export type AccountWinRecordedV1 = Static<typeof AccountWinRecordedV1>;

export const OpportunityOpenedV1 = Type.Object({
  opportunityId: Uuid(),
  accountId: Uuid(),
  customerId: Uuid(),
  /** Often names the person (e.g. "Jane Doe: CRM"): personal data. */
  name: Personal(Text()),
  ownerId: Text(),
  stage: Text(),
  probability: Probability(),
  forecastCategory: Forecast,
  amount: Type.Optional(NonNegative()),
  currency: Currency(),
  /** ISO 8601 date. */
  expectedCloseDate: Type.Optional(Text()),
  fromLeadId: Type.Optional(Uuid()),
  /** Opened from a customer's response to this (cross-sell or up-sell) campaign of marketing. */
  fromCampaignId: Type.Optional(Uuid()),
  openedAt: Timestamp(),
});
export type OpportunityOpenedV1 = Static<typeof OpportunityOpenedV1>;

export const OpportunityStageChangedV1 = Type.Object({
  opportunityId: Uuid(),
  from: Text(),
  to: Text(),
  probability: Probability(),
  forecastCategory: Forecast,
  changedAt: Timestamp(),
});
export type OpportunityStageChangedV1 = Static<typeof OpportunityStageChangedV1>;

export const OpportunityDetailsChangedV1 = Type.Object({
  opportunityId: Uuid(),
  changes: Type.Partial(
    Type.Object({
      name: Personal(Text()),
      amount: NonNegative(),
      currency: Currency(),
      expectedCloseDate: Text(),
      forecastCategory: Forecast,
      ownerId: Text(),
    }),
  ),
  changedAt: Timestamp(),
});
export type OpportunityDetailsChangedV1 = Static<typeof OpportunityDetailsChangedV1>;

/** What both outcomes of an opportunity carry. */
const Closed = {
  opportunityId: Uuid(),
  accountId: Uuid(),
  customerId: Uuid(),
  ownerId: Text(),
  previousStage: Text(),
  openedAt: Timestamp(),
};

export const OpportunityWonV1 = Type.Object({
  ...Closed,
  amount: NonNegative(),
  currency: Currency(),
  quoteId: Type.Optional(Uuid()),
  wonAt: Timestamp(),
});
export type OpportunityWonV1 = Static<typeof OpportunityWonV1>;

export const OpportunityLostV1 = Type.Object({
  ...Closed,
  reason: StringEnum(LOSS_REASONS),
  notes: PersonalStr(),
  lostAt: Timestamp(),
});
export type OpportunityLostV1 = Static<typeof OpportunityLostV1>;

export const QuoteLine = Type.Object({
  product: Text(),
  quantity: Type.Integer({ minimum: 1 }),
  unitPrice: NonNegative(),
  /** Percentage, 0 to 100. */
  discountPercent: Type.Number({ minimum: 0, maximum: 100 }),
});
export type QuoteLine = Static<typeof QuoteLine>;

export const QuoteTotals = Type.Object({
  subtotal: NonNegative(),
  discount: NonNegative(),
  total: NonNegative(),
  /** The largest line discount, which decides whether a manager must approve. */
  maxDiscountPercent: Type.Number({ minimum: 0, maximum: 100 }),
});
export type QuoteTotals = Static<typeof QuoteTotals>;

const Priced = { lines: Type.Array(QuoteLine, { minItems: 1 }), totals: QuoteTotals };

export const QuoteDraftedV1 = Type.Object({
  quoteId: Uuid(),
  opportunityId: Uuid(),
  customerId: Uuid(),
  currency: Currency(),
  ...Priced,
  approvalRequired: Type.Boolean(),
  draftedAt: Timestamp(),
});
export type QuoteDraftedV1 = Static<typeof QuoteDraftedV1>;

export const QuoteRevisedV1 = Type.Object({
  quoteId: Uuid(),
  ...Priced,
  approvalRequired: Type.Boolean(),
  revisedAt: Timestamp(),
});
export type QuoteRevisedV1 = Static<typeof QuoteRevisedV1>;

export const QuoteDiscountApprovedV1 = Type.Object({
  quoteId: Uuid(),
  approvedBy: Text(),
  maxDiscountPercent: Type.Number({ minimum: 0, maximum: 100 }),
  approvedAt: Timestamp(),
});
export type QuoteDiscountApprovedV1 = Static<typeof QuoteDiscountApprovedV1>;

/** What a sent, accepted or rejected quote names. */
const QuoteOf = { quoteId: Uuid(), opportunityId: Uuid() };

export const QuoteSentV1 = Type.Object({
  ...QuoteOf,
  total: NonNegative(),
  currency: Currency(),
  sentAt: Timestamp(),
});
export type QuoteSentV1 = Static<typeof QuoteSentV1>;

export const QuoteAcceptedV1 = Type.Object({
  ...QuoteOf,
  total: NonNegative(),
  currency: Currency(),
  acceptedAt: Timestamp(),
});
export type QuoteAcceptedV1 = Static<typeof QuoteAcceptedV1>;

export const QuoteRejectedV1 = Type.Object({ ...QuoteOf, reason: Str(), rejectedAt: Timestamp() });
export type QuoteRejectedV1 = Static<typeof QuoteRejectedV1>;

/** Schema of each version of each event type the pipeline context publishes. */
export const PIPELINE_EVENT_SCHEMAS = {
  AccountOpened: { 1: AccountOpenedV1 },
  AccountProfileUpdated: { 1: AccountProfileUpdatedV1 },
  ContactAdded: { 1: ContactAddedV1 },
  ContactUpdated: { 1: ContactUpdatedV1 },
  AccountWinRecorded: { 1: AccountWinRecordedV1 },
  OpportunityOpened: { 1: OpportunityOpenedV1 },
  OpportunityStageChanged: { 1: OpportunityStageChangedV1 },
  OpportunityDetailsChanged: { 1: OpportunityDetailsChangedV1 },
  OpportunityWon: { 1: OpportunityWonV1 },
  OpportunityLost: { 1: OpportunityLostV1 },
  QuoteDrafted: { 1: QuoteDraftedV1 },
  QuoteRevised: { 1: QuoteRevisedV1 },
  QuoteDiscountApproved: { 1: QuoteDiscountApprovedV1 },
  QuoteSent: { 1: QuoteSentV1 },
  QuoteAccepted: { 1: QuoteAcceptedV1 },
  QuoteRejected: { 1: QuoteRejectedV1 },
} as const;

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
