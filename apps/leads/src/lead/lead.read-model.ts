import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The leads read model, in the service's own PostgreSQL schema `leads`. Documented for analysts
 * in apps/leads/README.md; rebuilt from history by replaying crm.leads.events.
 */
export const LEAD_STATUSES = ['new', 'working', 'qualified', 'disqualified', 'converted'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

@Entity({ schema: 'leads', name: 'lead_summary' })
export class LeadSummary {
  @PrimaryColumn('uuid', { name: 'lead_id' }) leadId!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Index() @Column('text') status!: LeadStatus;
  @Index() @Column('text', { name: 'owner_id', nullable: true }) ownerId!: string | null;
  @Index() @Column('text') channel!: string;
  @Column('text', { name: 'customer_type' }) customerType!: string;
  @Column('text', { name: 'person_name', nullable: true }) personName!: string | null;
  @Column('text', { name: 'company_name', nullable: true }) companyName!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('int', { name: 'company_size', nullable: true }) companySize!: number | null;
  @Column('jsonb', { default: () => "'[]'" }) interests!: string[];
  @Column('jsonb', { default: () => "'{}'" }) source!: Record<string, string>;
  @Column('text', { nullable: true }) notes!: string | null;
  @Index() @Column('int', { nullable: true }) score!: number | null;
  @Column('jsonb', { name: 'score_breakdown', nullable: true }) scoreBreakdown!: Record<
    string,
    number
  > | null;
  @Column('text', { name: 'disqualification_reason', nullable: true }) disqualificationReason!: string | null;
  @Column('int', { name: 'engagement_count', default: 0 }) engagementCount!: number;
  /** Revision of the lead's stream this row reflects; the ETag of GET /leads/:id. */
  @Column('int') revision!: number;
  @Column('timestamptz', { name: 'captured_at' }) capturedAt!: Date;
  @Column('timestamptz', { name: 'last_engaged_at', nullable: true }) lastEngagedAt!: Date | null;
  @Column('timestamptz', { name: 'qualified_at', nullable: true }) qualifiedAt!: Date | null;
  @Column('timestamptz', { name: 'disqualified_at', nullable: true }) disqualifiedAt!: Date | null;
  @Column('timestamptz', { name: 'converted_at', nullable: true }) convertedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ schema: 'leads', name: 'lead_engagement' })
export class LeadEngagement {
  @PrimaryColumn('text', { name: 'engagement_id' }) engagementId!: string;
  @Index() @Column('uuid', { name: 'lead_id' }) leadId!: string;
  @Column('text') kind!: string;
  @Column('text') channel!: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('text', { nullable: true }) summary!: string | null;
}
