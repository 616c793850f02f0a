import { deciderSpec } from '@crm/decider/testing';
import {
  chooseAgent,
  supportTeamDecider,
  type SupportTeam,
  type SupportTeamEvent,
} from './support-team.decider';

const spec = deciderSpec(supportTeamDecider);
const at = '2026-12-01T09:00:00.000Z';
const agent = (agentId: string, skills: string[], available = true): SupportTeamEvent => ({
  type: 'SupportAgentUpdated',
  data: { agentId, skills, available, updatedAt: at },
});
const queue = (name: string, assignment: 'manual' | 'round_robin' | 'least_loaded', skill?: string) =>
  ({
    type: 'SupportQueueConfigured',
    data: { queue: name, assignment, ...(skill ? { skill } : {}), configuredAt: at },
  }) as SupportTeamEvent;
const teamOf = (events: SupportTeamEvent[]): SupportTeam =>
  events.reduce(supportTeamDecider.evolve, supportTeamDecider.initialState());

describe('the support team', () => {
  it('configures a queue and an agent, and a repeat of the same settings changes nothing', () => {
    spec
      .given([])
      .when({
        type: 'ConfigureQueue',
        data: { queue: 'returns', assignment: 'round_robin', skill: 'returns', at },
      })
      .then([queue('returns', 'round_robin', 'returns')]);
    spec
      .given([queue('returns', 'round_robin', 'returns')])
      .when({
        type: 'ConfigureQueue',
        data: { queue: 'returns', assignment: 'round_robin', skill: 'returns', at },
      })
      .then([]);
    spec
      .given([agent('ana', ['returns', 'billing'])])
      .when({
        type: 'UpdateAgent',
        data: { agentId: 'ana', skills: ['billing', 'returns'], available: true, at },
      })
      .then([]);
    spec
      .given([agent('ana', ['returns'])])
      .when({ type: 'UpdateAgent', data: { agentId: 'ana', skills: ['returns'], available: false, at } })
      .then([agent('ana', ['returns'], false)]);
  });
});

describe('assignment', () => {
  const team = teamOf([
    queue('tier-2', 'least_loaded', 'escalations'),
    queue('returns', 'round_robin', 'returns'),
    agent('carla', ['returns']),
    agent('ana', ['returns', 'escalations']),
    agent('bruno', ['returns', 'escalations']),
    agent('dora', ['returns'], false),
    agent('eva', ['billing']),
  ]);

  it('goes round robin over the available agents with the queue’s skill, wrapping around', () => {
    const next = (lastAssigned?: string) =>
      chooseAgent(team, 'returns', 'round_robin', { openCases: {}, lastAssigned });
    expect(next()).toBe('ana');
    expect(next('ana')).toBe('bruno');
    expect(next('bruno')).toBe('carla');
    expect(next('carla')).toBe('ana');
    // An agent who left the queue (unavailable dora) still marks the place in the rotation.
    expect(next('dora')).toBe('ana');
  });

  it('gives the case to the agent with the skill and the fewest open cases, ties in rotation', () => {
    const least = (openCases: Record<string, number>, lastAssigned?: string) =>
      chooseAgent(team, 'tier-2', 'least_loaded', { openCases, lastAssigned });
    expect(least({ ana: 3, bruno: 1, carla: 0 })).toBe('bruno');
    expect(least({ ana: 2, bruno: 2 })).toBe('ana');
    expect(least({ ana: 2, bruno: 2 }, 'ana')).toBe('bruno');
  });

  it('finds nobody when no available agent has the skill', () => {
    const none = teamOf([queue('vip', 'round_robin', 'vip'), agent('ana', ['returns'])]);
    expect(chooseAgent(none, 'vip', 'round_robin', { openCases: {} })).toBeUndefined();
  });
});
