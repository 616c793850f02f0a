import { Inject, Injectable } from '@nestjs/common';
import {
  ORGANISATION_CUSTOMER_ID,
  assertValidEvent,
  type AssignmentMethod,
  type CommandContext,
} from '@crm/contracts';
import { CachedAggregate, CommandHandler, notFound, ruleBroken, type HandleOptions } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE, PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import type { Queryable } from '@crm/timers';
import { CaseService } from '../case/case.service';
import {
  SUPPORT_TEAM_STREAM,
  chooseAgent,
  eligibleAgents,
  supportTeamDecider,
  type SupportTeam,
  type SupportTeamCommand,
  type SupportTeamEvent,
} from './support-team.decider';

const OPEN = ['new', 'open', 'pending', 'on_hold'];

/**
 * The support team (queues and agents), and assignment by round robin or least load. The
 * rotation's place per queue (`service.assignment_cursor`) is written with the assignment, in the
 * caller's transaction when it has one (the `case-assignment` consumer's). Open cases per agent
 * come from the case read model (`service.case`), as up to date as its consumer.
 */
@Injectable()
export class SupportTeamService {
  private readonly team: CachedAggregate<SupportTeamCommand, SupportTeam, SupportTeamEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime,
    private readonly cases: CaseService,
  ) {
    const handler = new CommandHandler({
      store,
      decider: supportTeamDecider,
      schemaVersions: { SupportQueueConfigured: 1, SupportAgentUpdated: 1 },
      validateEvent: assertValidEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
    this.team = new CachedAggregate(handler, SUPPORT_TEAM_STREAM, supportTeamDecider.initialState());
  }

  current() {
    return this.team.current();
  }

  change(command: SupportTeamCommand, context: CommandContext, options?: HandleOptions) {
    return this.team.handle(command, context, options);
  }

  /**
   * Assigns the case to the agent the method chooses in the case's queue. 422 NO_AGENT_AVAILABLE
   * when no available agent has the queue's skill.
   */
  async assignBy(
    caseId: string,
    method: Exclude<AssignmentMethod, 'manual'>,
    context: CommandContext,
    db: Queryable = this.runtime.pool,
    expectedRevision?: number,
  ) {
    const { state: c } = await this.cases.load(caseId);
    if (c.status === 'none') throw notFound('CASE_NOT_FOUND', 'no case with this id');
    const { state: team } = await this.team.current();
    const agents = eligibleAgents(team, c.queue).map((a) => a.agentId);
    const loads = (await db.query(
      `select assignee_id, count(*)::int as n from service.case
        where assignee_id = any($1) and status = any($2) group by assignee_id`,
      [agents, OPEN],
    )) as { rows?: { assignee_id: string; n: number }[] } | { assignee_id: string; n: number }[];
    const cursor = (await db.query(`select agent_id from service.assignment_cursor where queue = $1`, [
      c.queue,
    ])) as { rows?: { agent_id: string }[] } | { agent_id: string }[];
    const openCases = Object.fromEntries(rowsOf(loads).map((r) => [r.assignee_id, r.n]));
    const lastAssigned = rowsOf(cursor)[0]?.agent_id;
    const agentId = chooseAgent(team, c.queue, method, { openCases, lastAssigned });
    if (!agentId)
      throw ruleBroken('NO_AGENT_AVAILABLE', `no available agent has the skill of queue ${c.queue}`, {
        queue: c.queue,
      });
    const result = await this.cases.assign(caseId, agentId, method, context, expectedRevision);
    await db.query(
      `insert into service.assignment_cursor (queue, agent_id, assigned_at) values ($1, $2, now())
       on conflict (queue) do update set agent_id = excluded.agent_id, assigned_at = excluded.assigned_at`,
      [c.queue, agentId],
    );
    return result;
  }
}

/** Rows of a query through `pg` (a result with rows) or a TypeORM manager (the rows). */
const rowsOf = <T>(result: { rows?: T[] } | T[]): T[] =>
  Array.isArray(result) ? result : (result.rows ?? []);
