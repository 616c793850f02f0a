import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Read models of the service desk, in the service's own schema `service` (documented for analysts
 * in apps/service-desk/README.md), kept by the `service-read-model` projection from the events of
 * the case streams and masked by `service-erasure`. Hand-written migration:
 * src/migrations/1764100000000-service-read-model.ts.
 */

/** Statuses of a case still waiting on someone: its backlog and its agent's workload. */
export const OPEN_CASE_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;

/** One row per case: as its latest projected event left it. */
@Entity({ schema: 'service', name: 'case' })
export class CaseRow {
  @PrimaryColumn('uuid', { name: 'case_id' }) caseId!: string;
  @Index() @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('boolean', { name: 'known_customer' }) knownCustomer!: boolean;
  @Column('text') status!: string;
  @Column('text', { name: 'case_type' }) caseType!: string;
  @Column('text') priority!: string;
  @Column('text') channel!: string;
  @Column('text') queue!: string;
  @Column('text', { name: 'assignee_id', nullable: true }) assigneeId!: string | null;
  @Column('text') subject!: string;
  @Column('text', { name: 'requester_name', nullable: true }) requesterName!: string | null;
  @Column('text', { name: 'requester_email', nullable: true }) requesterEmail!: string | null;
  @Column('text', { name: 'requester_phone', nullable: true }) requesterPhone!: string | null;
  @Column('text', { name: 'product_ref', nullable: true }) productRef!: string | null;
  @Column('uuid', { name: 'follows_up_case_id', nullable: true }) followsUpCaseId!: string | null;
  @Column('text', { name: 'policy_id' }) policyId!: string;
  @Column('int', { name: 'policy_version' }) policyVersion!: number;
  @Column('timestamptz', { name: 'opened_at' }) openedAt!: Date;
  @Column('timestamptz', { name: 'first_response_at', nullable: true }) firstResponseAt!: Date | null;
  @Column('timestamptz', { name: 'solved_at', nullable: true }) solvedAt!: Date | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column('boolean', { default: false }) breached!: boolean;
  @Column('int', { nullable: true }) csat!: number | null;
  @Column('timestamptz', { name: 'rated_at', nullable: true }) ratedAt!: Date | null;
  @Column('int', { nullable: true }) nps!: number | null;
  @Column('text', { name: 'nps_category', nullable: true }) npsCategory!: string | null;
  @Column('timestamptz', { name: 'nps_given_at', nullable: true }) npsGivenAt!: Date | null;
  @Column('int') revision!: number;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** One row per case and SLA clock (first_response, next_response, resolution), in business minutes. */
@Entity({ schema: 'service', name: 'case_sla_clock' })
export class CaseSlaClockRow {
  @PrimaryColumn('uuid', { name: 'case_id' }) caseId!: string;
  @PrimaryColumn('text') clock!: string;
  @Column('numeric', { name: 'target_minutes' }) targetMinutes!: string;
  @Column('numeric', { name: 'elapsed_business_minutes' }) elapsedBusinessMinutes!: string;
  @Column('int', { name: 'paused_spans' }) pausedSpans!: number;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('timestamptz', { name: 'stopped_at', nullable: true }) stoppedAt!: Date | null;
  @Column('timestamptz', { name: 'due_at', nullable: true }) dueAt!: Date | null;
  @Column('text') state!: string;
  @Column('timestamptz', { name: 'warned_at', nullable: true }) warnedAt!: Date | null;
  @Column('timestamptz', { name: 'breached_at', nullable: true }) breachedAt!: Date | null;
  @Column('text', { name: 'policy_id' }) policyId!: string;
  @Column('int', { name: 'policy_version' }) policyVersion!: number;
  @Column('timestamptz', { name: 'measured_at' }) measuredAt!: Date;
  @Column('int') revision!: number;
}

/** Every assignment of a case, oldest first: who took it, in which queue, how. */
@Entity({ schema: 'service', name: 'case_assignment' })
export class CaseAssignmentRow {
  @PrimaryColumn('uuid', { name: 'case_id' }) caseId!: string;
  /** The revision of the CaseAssigned event in the case's stream. */
  @PrimaryColumn('int') revision!: number;
  @Column('text', { name: 'agent_id' }) agentId!: string;
  @Column('text') queue!: string;
  @Column('text') method!: string;
  @Column('timestamptz', { name: 'assigned_at' }) assignedAt!: Date;
}

export const SERVICE_READ_MODEL_ENTITIES = [CaseRow, CaseSlaClockRow, CaseAssignmentRow];
