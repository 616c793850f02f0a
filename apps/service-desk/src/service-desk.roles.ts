import type { Role } from '@crm/service-kit';

/** Who works cases and articles: support agents, their managers, admins. */
export const AGENTS: [Role, ...Role[]] = ['support_agent', 'support_manager', 'admin'];

/** Who changes how the desk works (service levels, queues, agents): support managers and admins. */
export const MANAGERS: [Role, ...Role[]] = ['support_manager', 'admin'];

/** Agents, and the customer signed in as requester: they reach only their own cases. */
export const AGENTS_AND_REQUESTER: [Role, ...Role[]] = [...AGENTS, 'customer'];
