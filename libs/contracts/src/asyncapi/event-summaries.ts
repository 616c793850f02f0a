import type { ContractEventType } from '../validation/event-contracts';

/** What each event type means, for the AsyncAPI document (one line each; every type needs one). */
export const EVENT_SUMMARIES: Record<ContractEventType, string> = {
  LeadCaptured: 'Someone showed interest: a new lead, and the customer identity it starts.',
  LeadAssigned: 'A lead got an owner (round robin at capture, or by hand).',
  LeadEngagementRecorded: 'A call, e-mail, meeting or visit with the lead.',
  LeadWorkStarted: 'The first engagement moved a new lead into work.',
  LeadQualified: 'The lead scored over the qualification threshold; with the points of each rule.',
  LeadDisqualified: 'The lead was dropped, with the reason.',
  LeadConverted: 'The hand-off to acquisition: everything the pipeline needs to open an account.',
  CustomerLifecycleStageReached:
    'The customer reached a lifecycle stage; published by the context that owns that stage.',
  CaseOpened:
    'A case (request, complaint, return, question) was opened from a channel, under an SLA policy version.',
  CaseReplied: 'A public reply or an internal note on a case, by an agent or the customer.',
  CaseStatusChanged: 'The case moved between new, open, pending, on hold, solved and closed (also a reopen).',
  CaseAssigned: 'The case got an agent.',
  CaseEscalated: 'The case moved to a higher tier queue with a raised priority.',
  SlaWarningReached:
    "A share of an SLA clock's target has passed (business time) without the response or resolution.",
  SlaBreached: 'An SLA clock ran out (business time), whether or not anyone touched the case.',
  CaseRated: 'The customer rated a solved case (CSAT 1 to 5) through their single-use link.',
  NetPromoterScoreGiven:
    'With the survey of a solved case, the customer said how likely they recommend us (0 to 10, with its NPS category).',
  CaseArticleLinked: 'A knowledge base article, in the version the agent saw, was linked to a case.',
  BusinessCalendarPublished:
    'A new version of the business calendar (time zone, weekly hours, holidays): SLA clocks count it from effectiveAt on.',
  SlaPolicyPublished:
    'A new version of an SLA policy (targets per priority and case type): cases opened from effectiveAt on run under it.',
  SupportQueueConfigured:
    "A queue's assignment method (by hand, round robin, least loaded) and the skill it needs.",
  SupportAgentUpdated: "An agent's skills and whether they take new cases.",
  KnowledgeArticlePublished:
    'A knowledge base article was published (version 1): title, body, tags and audience (public or agents).',
  KnowledgeArticleRevised: 'A new version of a knowledge base article, with its whole content.',
  KnowledgeArticleArchived: 'A knowledge base article was withdrawn: no longer found, revised or linked.',
  CustomerErased:
    "The customer's data key was destroyed (right to erasure): their personal data can no longer be read anywhere; mask it.",
  AccountOpened: "The customer's account was opened, with their profile.",
  AccountProfileUpdated: 'Fields of the account profile changed (only those, with their new values).',
  ContactAdded: 'A person at the customer was added as a contact of the account.',
  ContactUpdated: 'Fields of a contact changed (only those, with their new values).',
  AccountWinRecorded: 'A won opportunity was recorded on the account (acquisition or expansion).',
  OpportunityOpened:
    'A sales opportunity was opened for the account (from a converted lead, a cross-sell or up-sell campaign response, or by hand).',
  OpportunityStageChanged: 'The opportunity moved to another stage, with its new probability.',
  OpportunityDetailsChanged:
    'Name, amount, currency, close date, forecast or owner of an opportunity changed.',
  OpportunityWon: 'The opportunity was won, with the amount.',
  OpportunityLost: 'The opportunity was lost, with the reason.',
  QuoteDrafted: 'A quote was drafted for an opportunity, with its lines and totals.',
  QuoteRevised: 'The lines of a draft quote changed.',
  QuoteDiscountApproved: "A manager approved the quote's discount.",
  QuoteSent: 'The quote was sent to the customer.',
  QuoteAccepted: 'The customer accepted the quote.',
  QuoteRejected: 'The customer rejected the quote.',
  ConsentGranted:
    'The customer may be contacted on a channel for a purpose, on a lawful basis, from when it takes effect; with its evidence.',
  ConsentWithdrawn:
    'The customer withdrew (or objected to) contact on a channel for a purpose, from when it takes effect.',
  DoubleOptInRequested:
    'E-mail consent was asked for: it takes effect only once the customer confirms through the signed link, before it expires.',
  DoubleOptInConfirmed: 'The customer confirmed a double opt-in request through its signed, single-use link.',
  ContactSuppressed:
    'The customer must not be contacted (hard bounce, complaint or by hand), whatever their consent: on one channel or every channel.',
  SegmentDefined: 'A segment was defined: its name and the rule tree over the customer profile (version 1).',
  SegmentRedefined: "A segment's rule tree or name changed: a new version of its definition.",
  SegmentMemberJoined: 'A customer came to match a segment (the definition version they matched).',
  SegmentMemberLeft: 'A customer no longer matches a segment they were in.',
  CampaignDrafted:
    'A campaign was drafted: objective, purpose, channel, audience (customers, a segment or a static list), steps, budget and planned cost.',
  CampaignRevised: 'A draft campaign changed (every field anew).',
  CampaignScheduled: 'A campaign was scheduled: its first step goes out at startAt.',
  CampaignMessageSent:
    'One step of a campaign was sent to one customer (consent checked at sending), with its SMTP Message-ID.',
  CampaignMessageSuppressed:
    'One step of a campaign was not sent to one customer: no consent at sending, or no address (the reason).',
  CampaignMessageBounced:
    "A campaign message was refused for good by the recipient's mail server (SMTP 5xx, or a bounce reported later): the address is suppressed on e-mail.",
  CampaignStepSent: 'Every recipient of a campaign step was sent a message or suppressed (the counts).',
  CampaignCostRecorded: 'A cost was booked to a campaign (the item, the amount and the total after it).',
  CampaignResponseRecorded:
    'A recipient responded to a campaign step (open, click, reply or form), each kind recorded once per step.',
  CampaignProspectResponded:
    'A responder who is not a customer yet (name, e-mail and interests, personal): the leads context captures them as a lead of the campaign.',
  CampaignExpansionResponded:
    "An acquired customer responded to a cross-sell or up-sell campaign (once per campaign): the pipeline context opens an opportunity for the customer's account with the campaign as its source.",
  StaticListCreated: 'A static list of customers was created (its name).',
  StaticListMembersAdded:
    'Customers were added to a static list in a batch, by hand or by a CSV import (the import and its lines).',
  StaticListMembersRemoved: 'Customers were removed from a static list in a batch.',
};
