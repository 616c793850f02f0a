import type { AssignmentMethod, SupportAgentUpdatedV1, SupportQueueConfiguredV1 } from '@crm/contracts';
import type { Decider, DomainEvent } from '@crm/decider';

/**
 * The support team (stream `supportTeam-default`): queues, how each assigns its cases and the
 * skill it needs, and the agents with their skills and availability. A queue nobody configured
 * assigns by hand.
 */
export const SUPPORT_TEAM_STREAM = 'supportTeam-default';

export type SupportTeamEvent =
  | DomainEvent<'SupportQueueConfigured', SupportQueueConfiguredV1>
  | DomainEvent<'SupportAgentUpdated', SupportAgentUpdatedV1>;

export type SupportTeamCommand =
  | {
      type: 'ConfigureQueue';
      data: { queue: string; assignment: AssignmentMethod; skill?: string; at: string };
    }
  | { type: 'UpdateAgent'; data: { agentId: string; skills: string[]; available: boolean; at: string } };

export interface QueueSettings {
  assignment: AssignmentMethod;
  skill?: string;
}

export interface Agent {
  agentId: string;
  skills: string[];
  available: boolean;
}

export interface SupportTeam {
  queues: Record<string, QueueSettings>;
  agents: Record<string, Agent>;
}

const sameSkills = (a: string[], b: string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');

export const supportTeamDecider: Decider<SupportTeamCommand, SupportTeam, SupportTeamEvent> = {
  initialState: () => ({ queues: {}, agents: {} }),
  decide: (command, state) => {
    if (command.type === 'ConfigureQueue') {
      const { queue, assignment, skill, at } = command.data;
      const now = state.queues[queue];
      if (now && now.assignment === assignment && now.skill === skill) return [];
      return [
        {
          type: 'SupportQueueConfigured',
          data: { queue, assignment, ...(skill ? { skill } : {}), configuredAt: at },
        },
      ];
    }
    const { agentId, skills, available, at } = command.data;
    const now = state.agents[agentId];
    if (now && now.available === available && sameSkills(now.skills, skills)) return [];
    return [
      {
        type: 'SupportAgentUpdated',
        data: { agentId, skills: [...new Set(skills)], available, updatedAt: at },
      },
    ];
  },
  evolve: (state, event) => {
    if (event.type === 'SupportQueueConfigured') {
      const { queue, assignment, skill } = event.data;
      return { ...state, queues: { ...state.queues, [queue]: { assignment, ...(skill ? { skill } : {}) } } };
    }
    const { agentId, skills, available } = event.data;
    return { ...state, agents: { ...state.agents, [agentId]: { agentId, skills, available } } };
  },
};

/** Who may take the queue's cases: available agents with its skill (any agent when it needs none), by id. */
export function eligibleAgents(team: SupportTeam, queue: string): Agent[] {
  const skill = team.queues[queue]?.skill;
  return Object.values(team.agents)
    .filter((a) => a.available && (skill === undefined || a.skills.includes(skill)))
    .sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
}

/**
 * The agent a case of `queue` goes to: round robin takes the eligible agent after the one who
 * got the queue's last case (by id, wrapping around); least loaded the eligible agent with the
 * fewest open cases, ties going round robin. None when nobody is eligible.
 */
export function chooseAgent(
  team: SupportTeam,
  queue: string,
  method: Exclude<AssignmentMethod, 'manual'>,
  workload: { openCases: Record<string, number>; lastAssigned?: string },
): string | undefined {
  const agents = eligibleAgents(team, queue).map((a) => a.agentId);
  if (agents.length === 0) return undefined;
  const last = workload.lastAssigned;
  const start = last === undefined ? 0 : agents.filter((id) => id <= last).length % agents.length;
  const rotation = [...agents.slice(start), ...agents.slice(0, start)];
  if (method === 'round_robin') return rotation[0];
  const load = (id: string) => workload.openCases[id] ?? 0;
  return rotation.reduce((best, id) => (load(id) < load(best) ? id : best));
}
