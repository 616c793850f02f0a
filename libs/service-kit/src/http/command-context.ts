import { randomUUID } from 'node:crypto';
import type { CloudEvent, CommandContext } from '@crm/contracts';
import type { Request } from 'express';
import { principalOf } from '../auth/principal';
import { currentTraceContext } from '../telemetry/trace-context';

/**
 * Who asked, why, and in which trace, so that every event the command writes carries it: the
 * actor is the `sub` of the caller's verified access token (never a header: X-Actor is ignored),
 * the ids come from X-Correlation-Id and X-Request-Id, the trace from the active span.
 */
export function commandContextFrom(request: Request): CommandContext {
  const commandId = request.header('x-request-id') ?? randomUUID();
  const actor = principalOf(request)?.subject;
  return {
    commandId,
    correlationId: request.header('x-correlation-id') ?? commandId,
    ...currentTraceContext(),
    ...(actor ? { actor } : {}),
  };
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
