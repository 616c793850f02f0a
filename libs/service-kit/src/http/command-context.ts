import { randomUUID } from 'node:crypto';
import type { CloudEvent, CommandContext } from '@crm/contracts';
import type { Request } from 'express';
import { currentTraceContext } from '../telemetry/trace-context';

/**
 * Who asked, why, and in which trace: read from the request (X-Correlation-Id, X-Request-Id,
 * X-Actor) and the active OpenTelemetry span, so that every event the command writes carries it.
 */
export function commandContextFrom(request: Request): CommandContext {
  const commandId = request.header('x-request-id') ?? randomUUID();
  return {
    commandId,
    correlationId: request.header('x-correlation-id') ?? commandId,
    ...currentTraceContext(),
    ...(request.header('x-actor') ? { actor: request.header('x-actor') } : {}),
  };
}

/**
 * Roles of the caller, from `X-Actor-Roles` (comma-separated). Authentication is the API
 * gateway's job: it sets X-Actor and X-Actor-Roles and strips them from client requests.
 */
export function actorRolesFrom(request: Request): string[] {
  return (request.header('x-actor-roles') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}

/**
 * The context of a command a service issues in reaction to an event: same correlation, caused
 * by that event, in the trace of the consumer span that is handling it.
 */
export function reactionContext(event: CloudEvent, actor: string): CommandContext {
  return {
    commandId: event.id,
    correlationId: event.correlationid,
    causationId: event.id,
    ...currentTraceContext(),
    actor,
  };
}
