import { randomUUID } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  assertValidEvent,
  commandTime,
  type CommandContext,
  type ConsentChannel,
  type ConsentPurpose,
} from '@crm/contracts';
import { CommandHandler, ruleBroken } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE } from '@crm/service-kit';
import { MarketingConfig } from '../marketing.config';
import { consentDecider, type ConsentCommand, type ConsentState } from './consent.decider';
import type { ConsentQueryDto, GrantConsentDto, WithdrawConsentDto } from './consent.dto';
import { CONSENT_STREAM_SCHEMA_VERSIONS, consentStreamId, type ConsentEvent } from './consent.events';
import { linkExpiry, signLink, verifyLink } from './consent.link';
import { consentAt, type ConsentAnswer } from './consent.rules';
import type { SuppressContactDto } from './suppression.dto';

/** What a consent command did. */
export interface ConsentOutcome {
  customerId: string;
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  outcome: 'granted' | 'double_opt_in_requested' | 'withdrawn' | 'unchanged';
  revision: number;
  /** For a double opt-in: the signed, single-use link to send the customer, and when it expires. */
  confirmationLink?: string;
  linkExpiresAt?: string;
}

export type ConsentView = { purpose: ConsentPurpose; channel: ConsentChannel } & ConsentAnswer;

/** An instant as the events write it (`2026-03-01` → `2026-03-01T00:00:00.000Z`). */
const instant = (value: string | undefined) =>
  value === undefined ? undefined : new Date(value).toISOString();

const HOUR_MS = 3_600_000;

/** The consent ledger over HTTP: commands decided by the consent decider, queries by `consentAt`. */
@Injectable()
export class ConsentService {
  private readonly handler: CommandHandler<ConsentCommand, ConsentState, ConsentEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly config: MarketingConfig,
  ) {
    this.handler = new CommandHandler({
      store,
      decider: consentDecider,
      schemaVersions: CONSENT_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: (state, command) => state.customerId ?? command.data.customerId,
    });
  }

  async grant(customerId: string, dto: GrantConsentDto, context: CommandContext): Promise<ConsentOutcome> {
    const at = commandTime(context);
    const linkExpiresAt = linkExpiry(
      new Date(Date.parse(at) + this.config.DOUBLE_OPT_IN_LINK_TTL_HOURS * HOUR_MS),
    );
    const requestId = randomUUID();
    const effectiveAt = instant(dto.effectiveAt);
    const result = await this.handler.handle(
      consentStreamId(customerId),
      {
        type: 'GrantConsent',
        data: {
          customerId,
          purpose: dto.purpose,
          channel: dto.channel,
          lawfulBasis: dto.lawfulBasis,
          source: dto.source,
          evidence: { ...dto.evidence },
          ...(effectiveAt ? { effectiveAt } : {}),
          requestId,
          linkExpiresAt: linkExpiresAt.toISOString(),
          at,
        },
      },
      context,
    );
    const [event] = result.events;
    const base = { customerId, purpose: dto.purpose, channel: dto.channel, revision: result.revision };
    if (!event) return { ...base, outcome: 'unchanged' };
    if (event.type !== 'DoubleOptInRequested') return { ...base, outcome: 'granted' };
    const token = signLink(this.config.consentLinkSecret, {
      customerId,
      requestId,
      expiresAt: linkExpiresAt,
    });
    return {
      ...base,
      outcome: 'double_opt_in_requested',
      confirmationLink: `/consents/confirm/${token}`,
      linkExpiresAt: linkExpiresAt.toISOString(),
    };
  }

  /** The customer's confirmation through the link: the link is the credential, once. */
  async confirm(token: string, context: CommandContext): Promise<ConsentOutcome> {
    const link = verifyLink(this.config.consentLinkSecret, token, new Date(commandTime(context)));
    if (!link.valid && link.reason === 'expired')
      throw ruleBroken('DOUBLE_OPT_IN_EXPIRED', 'the confirmation link has expired: ask for consent again');
    if (!link.valid)
      throw new NotFoundException({
        statusCode: 404,
        code: 'DOUBLE_OPT_IN_LINK_INVALID',
        message: 'this confirmation link is not valid',
      });
    const { customerId, requestId } = link;
    const result = await this.handler.handle(
      consentStreamId(customerId),
      { type: 'ConfirmDoubleOptIn', data: { customerId, requestId, at: commandTime(context) } },
      context,
    );
    const confirmed = result.events.find((e) => e.type === 'DoubleOptInConfirmed')!;
    const { purpose, channel } = confirmed.data as { purpose: ConsentPurpose; channel: ConsentChannel };
    return { customerId, purpose, channel, outcome: 'granted', revision: result.revision };
  }

  async withdraw(
    customerId: string,
    dto: WithdrawConsentDto,
    context: CommandContext,
  ): Promise<ConsentOutcome> {
    const effectiveAt = instant(dto.effectiveAt);
    const result = await this.handler.handle(
      consentStreamId(customerId),
      {
        type: 'WithdrawConsent',
        data: {
          customerId,
          purpose: dto.purpose,
          channel: dto.channel,
          source: dto.source,
          ...(effectiveAt ? { effectiveAt } : {}),
          at: commandTime(context),
        },
      },
      context,
    );
    return {
      customerId,
      purpose: dto.purpose,
      channel: dto.channel,
      outcome: result.events.length > 0 ? 'withdrawn' : 'unchanged',
      revision: result.revision,
    };
  }

  /** A suppression by staff (`complaint` or `manual`; one channel or every channel). */
  async suppress(customerId: string, dto: SuppressContactDto, context: CommandContext) {
    const effectiveAt = instant(dto.effectiveAt);
    const result = await this.handler.handle(
      consentStreamId(customerId),
      {
        type: 'SuppressContact',
        data: {
          customerId,
          reason: dto.reason,
          ...(dto.channel ? { channel: dto.channel } : {}),
          ...(effectiveAt ? { effectiveAt } : {}),
          ...(dto.note ? { note: dto.note } : {}),
          at: commandTime(context),
        },
      },
      context,
    );
    return {
      customerId,
      reason: dto.reason,
      ...(dto.channel ? { channel: dto.channel } : {}),
      outcome: result.events.length > 0 ? ('suppressed' as const) : ('unchanged' as const),
      revision: result.revision,
    };
  }

  /** An abuse report of a campaign e-mail: e-mail suppressed and the purpose's e-mail consent withdrawn. */
  async complaint(
    customerId: string,
    { purpose, note }: { purpose: ConsentPurpose; note?: string },
    context: CommandContext,
  ) {
    const result = await this.handler.handle(
      consentStreamId(customerId),
      {
        type: 'RecordComplaint',
        data: {
          customerId,
          purpose,
          source: 'complaint',
          ...(note ? { note } : {}),
          at: commandTime(context),
        },
      },
      context,
    );
    return { recorded: result.events.map((e) => e.type), revision: result.revision };
  }

  /** Whether the customer could be contacted at T, as known at K, per purpose and channel asked. */
  async query(customerId: string, query: ConsentQueryDto, now = new Date()) {
    const { state, revision } = await this.handler.load(consentStreamId(customerId));
    const at = instant(query.at) ?? now.toISOString();
    const asKnownAt = instant(query.asKnownAt) ?? now.toISOString();
    const consents: ConsentView[] = [];
    for (const purpose of query.purpose ? [query.purpose] : CONSENT_PURPOSES)
      for (const channel of query.channel ? [query.channel] : CONSENT_CHANNELS)
        consents.push({ purpose, channel, ...consentAt(state.ledger, { purpose, channel, at, asKnownAt }) });
    // The suppressions as known at K (of the channel asked, or of every channel), and whether in force at T.
    const suppressions = state.ledger.flatMap((e) =>
      e.type === 'ContactSuppressed' &&
      Date.parse(e.data.recordedAt) <= Date.parse(asKnownAt) &&
      (!query.channel || !e.data.channel || e.data.channel === query.channel)
        ? [{ ...e.data, inForce: Date.parse(e.data.effectiveAt) <= Date.parse(at) }]
        : [],
    );
    return { customerId, at, asKnownAt, revision, consents, suppressions };
  }
}
