import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@crm/contracts';
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
