import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, EventContractViolation, type DomainErrorKind } from '@crm/decider';
import type { Request, Response } from 'express';
import { PROBLEM_JSON, problemDetails, type ErrorResponse } from './error-response';
import { dependencyUnavailable, isDependencyOutage } from './dependency-outage';

/** The one place where domain error kinds become HTTP statuses. */
export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  validation: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  rule: 422,
};

function fromHttpException(exception: HttpException): ErrorResponse {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === 'object' && body !== null && 'code' in body) {
    return { ...(body as ErrorResponse), statusCode: status };
  }
  const message =
    typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
  const code = status === 404 ? 'NOT_FOUND' : status === 400 ? 'BAD_REQUEST' : `HTTP_${status}`;
  return { statusCode: status, code, message };
}

/** An error of the `http-errors` kind, as the body parser (raw-body) and the router raise them. */
interface HttpError {
  status: number;
  type?: string;
  message: string;
  limit?: number;
  expose?: boolean;
}

function isHttpError(exception: unknown): exception is HttpError {
  const status = (exception as { status?: unknown } | null)?.status;
  return exception instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

/** Codes of the body parser's refusals, by the `type` it gives them. */
const CODE_BY_TYPE: Record<string, string> = {
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'request.aborted': 'REQUEST_ABORTED',
  'request.size.invalid': 'BAD_REQUEST',
};

function fromHttpError(error: HttpError): ErrorResponse {
  const code = (error.type && CODE_BY_TYPE[error.type]) ?? `HTTP_${error.status}`;
  if (code === 'PAYLOAD_TOO_LARGE') {
    return {
      statusCode: 413,
      code,
      message: `the body is larger than the limit of ${error.limit} bytes`,
      details: { limit: error.limit },
    };
  }
  return { statusCode: error.status, code, message: error.message };
}

/**
 * Every error leaves the services here, as `application/problem+json` (RFC 9457): domain errors,
 * Nest's and our own HttpExceptions, the body parser's refusals, dependency outages and bugs.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const error = this.describe(exception, response);
    const path = request.originalUrl.split('?')[0];
    const problem = problemDetails(error, path, request.header('x-correlation-id'));
    response.status(problem.status).type(PROBLEM_JSON).json(problem);
  }

  private describe(exception: unknown, response: Response): ErrorResponse {
    if (exception instanceof DomainError) {
      return {
        statusCode: STATUS_BY_KIND[exception.kind],
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (isHttpError(exception)) return fromHttpError(exception);
    if (exception instanceof EventContractViolation) {
      // Input is validated before any command runs: this is a bug of ours, and nothing was stored.
      this.logger.error(exception);
      return {
        statusCode: 500,
        code: 'CONTRACT_VIOLATION',
        message: 'the command would have stored an event that breaks its contract; nothing was stored',
        details: { eventType: exception.eventType, schemaVersion: exception.schemaVersion },
      };
    }
    if (isDependencyOutage(exception)) return dependencyUnavailable(response, exception, this.logger);
    this.logger.error(exception instanceof Error ? exception : String(exception));
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
  }
}
