import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, type DomainErrorKind } from '@crm/decider';
import type { Request, Response } from 'express';
import type { ErrorResponse } from './error-response';

/** The one place where domain error kinds become HTTP statuses. */
export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  validation: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule: 422,
};

function fromHttpException(exception: HttpException): ErrorResponse {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === 'object' && body !== null && 'code' in body) return body as ErrorResponse;
  const message =
    typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
  const code = status === 404 ? 'NOT_FOUND' : status === 400 ? 'BAD_REQUEST' : `HTTP_${status}`;
  return { statusCode: status, code, message };
}

@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    let body: ErrorResponse;
    if (exception instanceof DomainError) {
      body = {
        statusCode: STATUS_BY_KIND[exception.kind],
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    } else if (exception instanceof HttpException) {
      body = fromHttpException(exception);
    } else {
      this.logger.error(exception instanceof Error ? exception : String(exception));
      body = { statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
    }
    const correlationId = request.header('x-correlation-id');
    if (correlationId) body.correlationId = correlationId;
    response.status(body.statusCode).json(body);
  }
}
