import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Read models of the sales pipeline, in the service's own schema `pipeline` (documented in apps/pipeline/README.md). */
@Entity({ schema: 'pipeline', name: 'account' })
export class AccountRow {
  @PrimaryColumn('uuid', { name: 'account_id' }) accountId!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('text') name!: string;
  @Column('text') kind!: string;
  @Column('text', { name: 'customer_type' }) customerType!: string;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('jsonb') profile!: Record<string, unknown>;
  @Index() @Column('text', { name: 'owner_id', nullable: true }) ownerId!: string | null;
  @Column('uuid', { name: 'from_lead_id', nullable: true }) fromLeadId!: string | null;
  @Column('text', { name: 'lifecycle_stage' }) lifecycleStage!: string;
  @Column('numeric', { name: 'won_revenue', default: 0 }) wonRevenue!: string;
  @Column('int') revision!: number;
  @Column('timestamptz', { name: 'opened_at' }) openedAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ schema: 'pipeline', name: 'contact' })
export class ContactRow {
  @PrimaryColumn('uuid', { name: 'contact_id' }) contactId!: string;
  @Index() @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text') role!: string;
  @Column('text', { nullable: true }) title!: string | null;
}
