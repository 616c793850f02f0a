import type { ActiveCase } from '../case/case.decider';
import type { ClockView } from '../case/case.service';

/** A row of `service.case_sla_clock` as the projection writes it (snake_case, as the table). */
export interface ClockRowValues {
  case_id: string;
  clock: string;
  target_minutes: number;
  elapsed_business_minutes: number;
  paused_spans: number;
  started_at: Date;
  stopped_at: Date | null;
  due_at: Date | null;
  state: ClockView['state'];
  /** Whether the clock's current run was warned (breached): else its `warned_at` (`breached_at`) is cleared. */
  warned: boolean;
  breached: boolean;
  policy_id: string;
  policy_version: number;
  measured_at: Date;
  revision: number;
}

/**
 * The clock rows of a case from its state and its clocks as the case service measured them at
 * `measuredAt` (business time is the service's to count: nothing of it is computed here). The
 * instants of start and stop come from the state's clock; the policy from the case's SLA.
 * A next-response clock restarted by a customer's reply is a new run: not warned, not breached.
 */
export function clockRows(
  c: ActiveCase,
  views: ClockView[],
  revision: number,
  measuredAt: Date,
): ClockRowValues[] {
  return views.flatMap((view) => {
    const clock = c.clocks[view.clock];
    if (!clock) return [];
    return [
      {
        case_id: c.caseId,
        clock: view.clock,
        target_minutes: view.targetMinutes,
        elapsed_business_minutes: view.elapsedBusinessMinutes,
        paused_spans: view.pausedSpans,
        started_at: new Date(clock.startedAt),
        stopped_at: clock.stoppedAt === undefined ? null : new Date(clock.stoppedAt),
        due_at: view.dueAt === null ? null : new Date(view.dueAt),
        state: view.state,
        warned: clock.warned,
        breached: clock.breached,
        policy_id: c.sla.policyId,
        policy_version: c.sla.version,
        measured_at: measuredAt,
        revision,
      },
    ];
  });
}

/**
 * Upsert of one clock row: a measure from an older state of the case (a lower revision) never
 * overwrites a newer one; the warning and breach instants stay while the run they belong to does.
 */
export const UPSERT_CLOCK = `
  INSERT INTO service.case_sla_clock (case_id, clock, target_minutes, elapsed_business_minutes, paused_spans,
    started_at, stopped_at, due_at, state, policy_id, policy_version, measured_at, revision)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (case_id, clock) DO UPDATE SET
    target_minutes = EXCLUDED.target_minutes,
    elapsed_business_minutes = EXCLUDED.elapsed_business_minutes,
    paused_spans = EXCLUDED.paused_spans,
    started_at = EXCLUDED.started_at,
    stopped_at = EXCLUDED.stopped_at,
    due_at = EXCLUDED.due_at,
    state = EXCLUDED.state,
    warned_at = CASE WHEN $14::boolean AND case_sla_clock.started_at = EXCLUDED.started_at
                     THEN case_sla_clock.warned_at END,
    breached_at = CASE WHEN $15::boolean AND case_sla_clock.started_at = EXCLUDED.started_at
                       THEN case_sla_clock.breached_at END,
    policy_id = EXCLUDED.policy_id,
    policy_version = EXCLUDED.policy_version,
    measured_at = EXCLUDED.measured_at,
    revision = EXCLUDED.revision
  WHERE case_sla_clock.revision <= EXCLUDED.revision`;

export const upsertClockParameters = (r: ClockRowValues): unknown[] => [
  r.case_id,
  r.clock,
  r.target_minutes,
  r.elapsed_business_minutes,
  r.paused_spans,
  r.started_at,
  r.stopped_at,
  r.due_at,
  r.state,
  r.policy_id,
  r.policy_version,
  r.measured_at,
  r.revision,
  r.warned,
  r.breached,
];
