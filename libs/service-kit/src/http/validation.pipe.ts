import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ErrorResponse } from './error-response';

function flatten(errors: ValidationError[], prefix = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Input validation for every service: unknown fields are rejected (not silently dropped), types
 * are converted from query strings, and the 400 names every offending field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const body: ErrorResponse = {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: 'the request has invalid fields',
        errors: flatten(errors),
      };
      return new BadRequestException(body);
    },
  });
}
