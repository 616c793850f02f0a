import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model v1 of the service desk: cases, their SLA clocks, their assignments. Hand-written, never generated. */
export class ServiceReadModel1764100000000 implements MigrationInterface {
  name = 'ServiceReadModel1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS service`);
    await q.query(`
      CREATE TABLE service.case (
        case_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        known_customer boolean NOT NULL,
        status text NOT NULL,
        case_type text NOT NULL,
        priority text NOT NULL,
        channel text NOT NULL,
        queue text NOT NULL,
        assignee_id text,
        subject text NOT NULL,
        requester_name text,
        requester_email text,
        requester_phone text,
        product_ref text,
        follows_up_case_id uuid,
        policy_id text NOT NULL,
        policy_version int NOT NULL,
        opened_at timestamptz NOT NULL,
        first_response_at timestamptz,
        solved_at timestamptz,
        closed_at timestamptz,
        breached boolean NOT NULL DEFAULT false,
        csat int CHECK (csat BETWEEN 1 AND 5),
        rated_at timestamptz,
        nps int CHECK (nps BETWEEN 0 AND 10),
        nps_category text,
        nps_given_at timestamptz,
        revision int NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX case_opened_idx ON service.case (opened_at DESC, case_id DESC)`);
    await q.query(`CREATE INDEX case_customer_idx ON service.case (customer_id)`);
    await q.query(`CREATE INDEX case_queue_status_idx ON service.case (queue, status)`);
    await q.query(`CREATE INDEX case_assignee_status_idx ON service.case (assignee_id, status)`);
    await q.query(`CREATE INDEX case_status_idx ON service.case (status)`);
    await q.query(`
      CREATE TABLE service.case_sla_clock (
        case_id uuid NOT NULL,
        clock text NOT NULL CHECK (clock IN ('first_response', 'next_response', 'resolution')),
        target_minutes numeric NOT NULL,
        elapsed_business_minutes numeric NOT NULL,
        paused_spans int NOT NULL,
        started_at timestamptz NOT NULL,
        stopped_at timestamptz,
        due_at timestamptz,
        state text NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached')),
        warned_at timestamptz,
        breached_at timestamptz,
        policy_id text NOT NULL,
        policy_version int NOT NULL,
        measured_at timestamptz NOT NULL,
        revision int NOT NULL,
        PRIMARY KEY (case_id, clock)
      )`);
    await q.query(
      `CREATE INDEX case_sla_clock_policy_idx ON service.case_sla_clock (policy_id, policy_version, clock)`,
    );
    await q.query(`CREATE INDEX case_sla_clock_stopped_idx ON service.case_sla_clock (clock, stopped_at)`);
    await q.query(`
      CREATE TABLE service.case_assignment (
        case_id uuid NOT NULL,
        revision int NOT NULL,
        agent_id text NOT NULL,
        queue text NOT NULL,
        method text NOT NULL,
        assigned_at timestamptz NOT NULL,
        PRIMARY KEY (case_id, revision)
      )`);
    await q.query(
      `CREATE INDEX case_assignment_queue_idx ON service.case_assignment (queue, assigned_at DESC)`,
    );
    await q.query(`CREATE INDEX case_assignment_agent_idx ON service.case_assignment (agent_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['case_assignment', 'case_sla_clock', 'case']) {
      await q.query(`DROP TABLE service.${table}`);
    }
  }
}
