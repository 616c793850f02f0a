import { Inject, Injectable } from '@nestjs/common';
import type { ConsentChannel, SuppressionReason } from '@crm/contracts';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { SUPPRESSION_CURSOR, type SuppressionsQueryDto } from './suppression.dto';

export interface SuppressionRow {
  customerId: string;
  /** Absent: every channel. */
  channel?: ConsentChannel;
  reason: SuppressionReason;
  note?: string;
  effectiveAt: string;
  recordedAt: string;
}

interface Row {
  customer_id: string;
  revision: string;
  channel: ConsentChannel | null;
  reason: SuppressionReason;
  note: string | null;
  effective_at: Date;
  recorded_at: Date;
}

/** `GET /suppressions`: the read model `marketing.suppression`, newest recorded first, by keyset. */
@Injectable()
export class SuppressionQueries {
  constructor(@Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime) {}

  async list({ reason, channel, after, limit = 100 }: SuppressionsQueryDto) {
    const [, recordedAt, customerId, revision] = after ? SUPPRESSION_CURSOR.exec(after)! : [];
    const { rows } = await this.runtime.pool.query<Row>(
      `select customer_id, revision, channel, reason, note, effective_at, recorded_at
         from marketing.suppression
        where ($1::text is null or reason = $1)
          and ($2::text is null or channel = $2 or channel is null)
          and ($3::timestamptz is null or (recorded_at, customer_id, revision) < ($3, $4::uuid, $5::bigint))
        order by recorded_at desc, customer_id desc, revision desc
        limit $6`,
      [reason ?? null, channel ?? null, recordedAt ?? null, customerId ?? null, revision ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      suppressions: page.map((r): SuppressionRow => ({
        customerId: r.customer_id,
        ...(r.channel ? { channel: r.channel } : {}),
        reason: r.reason,
        ...(r.note ? { note: r.note } : {}),
        effectiveAt: r.effective_at.toISOString(),
        recordedAt: r.recorded_at.toISOString(),
      })),
      ...(rows.length > limit && last
        ? { next: `${last.recorded_at.toISOString()}_${last.customer_id}_${last.revision}` }
        : {}),
    };
  }
}
