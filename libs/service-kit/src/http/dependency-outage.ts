import type { LoggerService } from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorResponse } from './error-response';

/** What a client is told to wait (`Retry-After`, seconds) when the database is unavailable. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** Socket-level failures to reach a dependency (Node error codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01/57P02
 * (shutting down: admin, crash), 57P03 (starting up, cannot connect now), 57014 (canceled, e.g. by
 * `statement_timeout`), class 53 (insufficient resources: too many connections, out of memory, disk).
 */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|57014|53[0-9A-Z]{3})$/;

/** node-postgres and pg-pool failures that carry no code: lost connections and their own timeouts. */
const PG_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /query read timeout/i,
  /client has encountered a connection error and is not queryable/i,
];

/** The error and what it wraps: `cause`, TypeORM's `driverError`, an AggregateError's `errors`. */
function* chain(error: unknown, depth = 0): Generator<unknown> {
  if (typeof error !== 'object' || error === null || depth > 4) return;
  yield error;
  const e = error as { cause?: unknown; driverError?: unknown; errors?: unknown };
  yield* chain(e.cause, depth + 1);
  yield* chain(e.driverError, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

function isOutage(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
  return typeof message === 'string' && PG_MESSAGES.some((pattern) => pattern.test(message));
}

/** True when a request failed because the database could not be reached or answered in time. */
export function isDependencyOutage(exception: unknown): boolean {
  for (const error of chain(exception)) if (isOutage(error)) return true;
  return false;
}

/**
 * The answer to a request that met a dependency outage: 503 DEPENDENCY_UNAVAILABLE with a
 * `Retry-After` header. Nothing was acknowledged to the client, who may send the request again
 * (with If-Match, to be sure a command that did reach the database is not applied twice).
 */
export function dependencyUnavailable(
  response: Response,
  exception: unknown,
  logger: Pick<LoggerService, 'warn'>,
): ErrorResponse {
  const error = exception as { code?: unknown; message?: unknown };
  logger.warn({ msg: 'dependency unavailable', code: error.code, error: String(error.message ?? exception) });
  response.setHeader('Retry-After', String(DEPENDENCY_RETRY_AFTER_SECONDS));
  return {
    statusCode: 503,
    code: 'DEPENDENCY_UNAVAILABLE',
    message: 'the database is unavailable; retry after the Retry-After delay',
    details: { dependency: 'database', retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS },
  };
}
