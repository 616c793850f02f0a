import {
  CASE_PRIORITIES,
  npsCategory,
  type CaseChannel,
  type CasePriority,
  type CaseStatus,
  type CaseType,
  type SlaClockName,
  type SlaTargets,
} from '@crm/contracts';
import { conflict, notFound, ruleBroken, type Decider } from '@crm/decider';
import type { BusinessTime } from '../sla/business-time';
import type { CaseEvent } from './case.events';
import { dueAt, pauseClock, resumeClock, startClock, stopClock, type SlaClock } from './case.sla';

/**
 * A service case: its status, conversation milestones and SLA clocks, decided purely from its
 * events and business time (the service's calendars). Statuses: new → open ↔ pending (waiting on the customer) ↔
 * on hold (waiting on a third party) → solved → closed; a customer's reply reopens a solved case
 * within the reopen window, after it a follow-up case is needed. Clocks, in business time: first
 * response (from opening to the first public agent reply), next response (from each customer reply
 * after that to the next public agent reply) and resolution (from opening to solved, paused while
 * pending or on hold).
 */
export interface Requester {
  name?: string;
  email?: string;
  phone?: string;
}

export type CaseCommand =
  | {
      type: 'OpenCase';
      data: {
        caseId: string;
        customerId: string;
        knownCustomer: boolean;
        requester: Requester;
        channel: CaseChannel;
        caseType: CaseType;
        priority: CasePriority;
        subject: string;
        description?: string;
        productRef?: string;
        queue: string;
        sla: SlaTargets;
        followsUpCaseId?: string;
        at: string;
      };
    }
  | {
      type: 'ReplyToCase';
      data: {
        replyId: string;
        author: { kind: 'agent' | 'customer'; id: string };
        channel: CaseChannel;
        visibility: 'public' | 'internal';
        body: string;
        at: string;
        reopenWindowMs: number;
      };
    }
  | { type: 'ChangeCaseStatus'; data: { to: 'open' | 'pending' | 'on_hold'; at: string } }
  | { type: 'SolveCase'; data: { at: string } }
  | { type: 'CloseCase'; data: { at: string } }
  | {
      type: 'AssignCase';
      data: { agentId: string; method: 'manual' | 'round_robin' | 'least_loaded'; at: string };
    }
  | { type: 'EscalateCase'; data: { toQueue: string; at: string } }
  /** The survey's answer: CSAT (1-5) and, when the customer gave it, how likely they recommend us (0-10). */
  | { type: 'RateCase'; data: { score: number; comment?: string; recommend?: number; at: string } }
  | { type: 'LinkArticle'; data: { articleId: string; articleVersion: number; at: string } }
  /** A timer came due: publish what the clocks reached by `at`, even if nobody touched the case. */
  | { type: 'CheckSla'; data: { at: string } };

export interface ActiveCase {
  status: CaseStatus;
  caseId: string;
  customerId: string;
  caseType: CaseType;
  priority: CasePriority;
  queue: string;
  sla: SlaTargets;
  agentId?: string;
  /** The queue the case was in when it was last assigned (an escalated case waits for a new agent). */
  assignedQueue?: string;
  firstResponded: boolean;
  solvedAt?: string;
  rating?: number;
  /** Articles linked to the case: id → version linked. */
  articles: Record<string, number>;
  clocks: Partial<Record<SlaClockName, SlaClock>>;
}

export type CaseState = { status: 'none' } | ActiveCase;

const ms = (iso: string) => Date.parse(iso);
const PAUSING: CaseStatus[] = ['pending', 'on_hold'];
const raise = (p: CasePriority): CasePriority =>
  CASE_PRIORITIES[Math.min(CASE_PRIORITIES.indexOf(p) + 1, CASE_PRIORITIES.length - 1)];

function activeOf(state: CaseState): ActiveCase {
  if (state.status === 'none') throw notFound('CASE_NOT_FOUND', 'no case with this id');
  return state;
}

const statusChange = (c: ActiveCase, to: CaseStatus, at: string): CaseEvent => ({
  type: 'CaseStatusChanged',
  data: { caseId: c.caseId, from: c.status, to, changedAt: at },
});

function reply(c: ActiveCase, command: Extract<CaseCommand, { type: 'ReplyToCase' }>['data']): CaseEvent[] {
  const { replyId, author, channel, visibility, body, at, reopenWindowMs } = command;
  const replied: CaseEvent = {
    type: 'CaseReplied',
    data: { caseId: c.caseId, replyId, author, channel, visibility, body, repliedAt: at },
  };
  if (author.kind === 'customer') {
    if (visibility === 'internal') throw ruleBroken('INTERNAL_NOTE_BY_CUSTOMER', 'customers reply in public');
    if (c.status === 'closed' || (c.status === 'solved' && ms(at) > ms(c.solvedAt!) + reopenWindowMs))
      throw ruleBroken(
        'FOLLOW_UP_CASE_REQUIRED',
        'the case is past its reopen window: open a follow-up case',
        {
          solvedAt: c.solvedAt,
        },
      );
    const reopens = c.status === 'solved' || PAUSING.includes(c.status);
    return reopens ? [statusChange(c, 'open', at), replied] : [replied];
  }
  if (c.status === 'closed') throw ruleBroken('CASE_CLOSED', 'the case is closed');
  const starts = visibility === 'public' && c.status === 'new' ? [statusChange(c, 'open', at)] : [];
  return [...starts, replied];
}

function rate(
  c: ActiveCase,
  { score, comment, recommend, at }: Extract<CaseCommand, { type: 'RateCase' }>['data'],
) {
  const { caseId, customerId } = c;
  const rated: CaseEvent = {
    type: 'CaseRated',
    data: { caseId, customerId, score, ...(comment ? { comment } : {}), ratedAt: at },
  };
  if (recommend === undefined) return [rated];
  const nps: CaseEvent = {
    type: 'NetPromoterScoreGiven',
    data: { caseId, customerId, score: recommend, category: npsCategory(recommend), givenAt: at },
  };
  return [rated, nps];
}

function checkSla(c: ActiveCase, time: BusinessTime, at: string): CaseEvent[] {
  const now = ms(at);
  const events: CaseEvent[] = [];
  let priority = c.priority;
  for (const clock of Object.values(c.clocks)) {
    if (!clock || clock.breached) continue;
    const facts = { caseId: c.caseId, clock: clock.name, targetMinutes: clock.targetMs / 60_000 };
    const breach = dueAt(time, clock);
    if (breach !== undefined && breach <= now) {
      events.push({
        type: 'SlaBreached',
        data: { ...facts, dueAt: new Date(breach).toISOString(), priority, breachedAt: at },
      });
      const toQueue = c.sla.escalateToQueue;
      if (toQueue && toQueue !== c.queue && !events.some((e) => e.type === 'CaseEscalated')) {
        priority = raise(priority);
        events.push({
          type: 'CaseEscalated',
          data: {
            caseId: c.caseId,
            fromQueue: c.queue,
            toQueue,
            priority,
            reason: 'sla_breached',
            escalatedAt: at,
          },
        });
      }
      continue;
    }
    // A warning after the response came is noise: only running or paused clocks warn.
    const warning =
      clock.warned || clock.stoppedAt !== undefined ? undefined : dueAt(time, clock, c.sla.warningShare);
    if (warning !== undefined && warning <= now)
      events.push({
        type: 'SlaWarningReached',
        data: { ...facts, dueAt: new Date(breach!).toISOString(), reachedAt: at },
      });
  }
  return events;
}

export function caseDecider(time: BusinessTime): Decider<CaseCommand, CaseState, CaseEvent> {
  return {
    initialState: () => ({ status: 'none' }),
    decide: (command, state) => {
      if (command.type === 'OpenCase') {
        if (state.status !== 'none') throw conflict('CASE_EXISTS', 'a case with this id exists');
        const { at, ...opened } = command.data;
        return [{ type: 'CaseOpened', data: { ...opened, openedAt: at } }];
      }
      const c = activeOf(state);
      const { at } = command.data;
      switch (command.type) {
        case 'ReplyToCase':
          return reply(c, command.data);
        case 'ChangeCaseStatus':
          if (c.status === 'closed') throw ruleBroken('CASE_CLOSED', 'the case is closed');
          if (c.status === 'solved' && command.data.to !== 'open')
            throw ruleBroken('CASE_SOLVED', 'a solved case is reopened before it waits again');
          return c.status === command.data.to ? [] : [statusChange(c, command.data.to, at)];
        case 'SolveCase':
          if (c.status === 'solved' || c.status === 'closed') return [];
          return [statusChange(c, 'solved', at)];
        case 'CloseCase':
          if (c.status === 'closed') return [];
          if (c.status !== 'solved') throw ruleBroken('CASE_NOT_SOLVED', 'only a solved case is closed');
          return [statusChange(c, 'closed', at)];
        case 'AssignCase':
          if (c.status === 'closed') throw ruleBroken('CASE_CLOSED', 'the case is closed');
          if (c.agentId === command.data.agentId && c.assignedQueue === c.queue) return [];
          return [
            {
              type: 'CaseAssigned',
              data: {
                caseId: c.caseId,
                agentId: command.data.agentId,
                method: command.data.method,
                assignedAt: at,
              },
            },
          ];
        case 'EscalateCase':
          if (c.status === 'closed') throw ruleBroken('CASE_CLOSED', 'the case is closed');
          if (c.queue === command.data.toQueue) return [];
          return [
            {
              type: 'CaseEscalated',
              data: {
                caseId: c.caseId,
                fromQueue: c.queue,
                toQueue: command.data.toQueue,
                priority: raise(c.priority),
                reason: 'manual',
                escalatedAt: at,
              },
            },
          ];
        case 'RateCase':
          if (c.status !== 'solved' && c.status !== 'closed')
            throw ruleBroken('CASE_NOT_SOLVED', 'a case is rated once solved');
          if (c.rating !== undefined) throw conflict('CASE_ALREADY_RATED', 'this case was rated already');
          return rate(c, command.data);
        case 'LinkArticle': {
          const { articleId, articleVersion } = command.data;
          if (c.articles[articleId] === articleVersion) return [];
          return [
            {
              type: 'CaseArticleLinked',
              data: { caseId: c.caseId, articleId, articleVersion, linkedAt: at },
            },
          ];
        }
        case 'CheckSla':
          return c.status === 'closed' ? [] : checkSla(c, time, at);
      }
    },
    evolve,
  };
}

function withClock(c: ActiveCase, name: SlaClockName, change: (clock: SlaClock) => SlaClock): ActiveCase {
  const clock = c.clocks[name];
  return clock ? { ...c, clocks: { ...c.clocks, [name]: change(clock) } } : c;
}

export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (event.type === 'CaseOpened') {
    const d = event.data;
    const at = ms(d.openedAt);
    return {
      status: 'new',
      caseId: d.caseId,
      customerId: d.customerId,
      caseType: d.caseType,
      priority: d.priority,
      queue: d.queue,
      sla: d.sla,
      firstResponded: false,
      articles: {},
      clocks: {
        first_response: startClock('first_response', d.sla.firstResponseMinutes, at),
        resolution: startClock('resolution', d.sla.resolutionMinutes, at),
      },
    };
  }
  if (state.status === 'none') return state;
  let c: ActiveCase = state;
  switch (event.type) {
    case 'CaseReplied': {
      const at = ms(event.data.repliedAt);
      if (event.data.visibility !== 'public') return c;
      if (event.data.author.kind === 'agent') {
        c = withClock(
          withClock(c, 'first_response', (k) => stopClock(k, at)),
          'next_response',
          (k) => stopClock(k, at),
        );
        return { ...c, firstResponded: true };
      }
      // A customer's reply after the first response starts the next-response clock again.
      return c.firstResponded
        ? {
            ...c,
            clocks: {
              ...c.clocks,
              next_response: startClock('next_response', c.sla.nextResponseMinutes, at),
            },
          }
        : c;
    }
    case 'CaseStatusChanged': {
      const { to, changedAt } = event.data;
      const at = ms(changedAt);
      if (PAUSING.includes(to)) c = withClock(c, 'resolution', (k) => pauseClock(k, at));
      else if (to === 'open')
        c = withClock(c, 'resolution', (k) =>
          k.stoppedAt === undefined ? resumeClock(k, at) : reopened(k, at),
        );
      if (to === 'solved') {
        c = withClock(
          withClock(c, 'resolution', (k) => stopClock(k, at)),
          'next_response',
          (k) => stopClock(k, at),
        );
        c = withClock(c, 'first_response', (k) => stopClock(k, at));
      }
      return { ...c, status: to, ...(to === 'solved' ? { solvedAt: changedAt } : {}) };
    }
    case 'CaseAssigned':
      return { ...c, agentId: event.data.agentId, assignedQueue: c.queue };
    case 'CaseEscalated':
      return { ...c, queue: event.data.toQueue, priority: event.data.priority };
    case 'SlaWarningReached':
      return withClock(c, event.data.clock, (k) => ({ ...k, warned: true }));
    case 'SlaBreached':
      return withClock(c, event.data.clock, (k) => ({ ...k, warned: true, breached: true }));
    case 'CaseRated':
      return { ...c, rating: event.data.score };
    case 'CaseArticleLinked':
      return { ...c, articles: { ...c.articles, [event.data.articleId]: event.data.articleVersion } };
  }
  return c;
}

/** A reopened case's resolution clock runs on from where it stopped: the solved span was a pause. */
function reopened(k: SlaClock, at: number): SlaClock {
  const { stoppedAt, ...running } = k;
  return { ...running, pauses: [...k.pauses, [stoppedAt!, at]] };
}

/** When the next SLA check is due (the earliest warning or breach of a running clock), if any. */
export function nextSlaCheck(time: BusinessTime, state: CaseState): number | undefined {
  if (state.status === 'none' || state.status === 'closed') return undefined;
  const instants = Object.values(state.clocks).flatMap((k) =>
    !k || k.breached
      ? []
      : [
          k.warned || k.stoppedAt !== undefined ? undefined : dueAt(time, k, state.sla.warningShare),
          dueAt(time, k),
        ],
  );
  const due = instants.filter((t): t is number => t !== undefined);
  return due.length > 0 ? Math.min(...due) : undefined;
}
