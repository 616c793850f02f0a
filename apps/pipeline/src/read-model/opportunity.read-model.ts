import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ schema: 'pipeline', name: 'opportunity' })
export class OpportunityRow {
  @PrimaryColumn('uuid', { name: 'opportunity_id' }) opportunityId!: string;
  @Index() @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') name!: string;
  @Index() @Column('text', { name: 'owner_id' }) ownerId!: string;
  @Index() @Column('text') stage!: string;
  @Column('int') probability!: number;
  @Column('text', { name: 'forecast_category' }) forecastCategory!: string;
  @Index() @Column('text') status!: string;
  @Column('numeric', { nullable: true }) amount!: string | null;
  @Column('text') currency!: string;
  @Column('date', { name: 'expected_close_date', nullable: true }) expectedCloseDate!: string | null;
  @Column('uuid', { name: 'from_lead_id', nullable: true }) fromLeadId!: string | null;
  @Column('uuid', { name: 'from_campaign_id', nullable: true }) fromCampaignId!: string | null;
  @Column('uuid', { name: 'quote_id', nullable: true }) quoteId!: string | null;
  @Column('text', { name: 'lost_reason', nullable: true }) lostReason!: string | null;
  @Column('text', { name: 'lost_notes', nullable: true }) lostNotes!: string | null;
  @Column('int') revision!: number;
  @Column('timestamptz', { name: 'opened_at' }) openedAt!: Date;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ schema: 'pipeline', name: 'opportunity_stage_history' })
export class StageHistoryRow {
  @PrimaryColumn('uuid', { name: 'opportunity_id' }) opportunityId!: string;
  @PrimaryColumn('int') seq!: number;
  @Column('text') stage!: string;
  @Column('timestamptz', { name: 'entered_at' }) enteredAt!: Date;
  @Column('timestamptz', { name: 'left_at', nullable: true }) leftAt!: Date | null;
}

@Entity({ schema: 'pipeline', name: 'quote' })
export class QuoteRow {
  @PrimaryColumn('uuid', { name: 'quote_id' }) quoteId!: string;
  @Index() @Column('uuid', { name: 'opportunity_id' }) opportunityId!: string;
  @Column('text') status!: string;
  @Column('text') currency!: string;
  @Column('jsonb') lines!: unknown[];
  @Column('numeric') subtotal!: string;
  @Column('numeric') discount!: string;
  @Column('numeric') total!: string;
  @Column('numeric', { name: 'max_discount_percent' }) maxDiscountPercent!: string;
  @Column('boolean', { name: 'approval_required' }) approvalRequired!: boolean;
  @Column('text', { name: 'approved_by', nullable: true }) approvedBy!: string | null;
  @Column('int') revision!: number;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
