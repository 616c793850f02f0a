import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The media type of every error response (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

/** Base of the `type` URIs: one per error code, e.g. `https://crm.example/problems/lead-email-taken`. */
export const PROBLEM_TYPE_BASE = 'https://crm.example/problems/';

/**
 * How a layer describes an error it refuses a request with (a DomainError is mapped to one, an
 * HttpException carries one as its body). The exception filter renders it as {@link ProblemDetails}.
 */
export interface ErrorResponse {
  statusCode: number;
  /** Stable, machine-readable code (e.g. VALIDATION_FAILED, LEAD_NOT_FOUND, PRECONDITION_FAILED). */
  code: string;
  message: string;
  /** For 400s: every offending field and what is wrong with it. */
  errors?: FieldError[];
  details?: Record<string, unknown>;
}

export class FieldError {
  @ApiProperty({ description: 'Path of the field in the body or query, e.g. `source.utmSource`' })
  field!: string;

  @ApiProperty({ type: [String], description: 'What is wrong with it' })
  messages!: string[];
}

/**
 * The body of every error response, `application/problem+json` (RFC 9457): the standard members
 * plus `code`, `errors`, `details` and `correlationId` as extensions.
 */
export class ProblemDetails {
  @ApiProperty({
    format: 'uri',
    description: 'Identifies the kind of problem, one per `code`; compare it (or `code`), not `title`',
    example: `${PROBLEM_TYPE_BASE}lead-email-taken`,
  })
  type!: string;

  @ApiProperty({ description: 'Short summary of the kind of problem, the same for every occurrence' })
  title!: string;

  @ApiProperty({ type: 'integer', description: 'The HTTP status of the response', example: 409 })
  status!: number;

  @ApiProperty({ description: 'What went wrong this time, for people' })
  detail!: string;

  @ApiProperty({ format: 'uri-reference', description: 'The path of the request', example: '/leads' })
  instance!: string;

  @ApiProperty({ description: 'Stable machine-readable error code', example: 'LEAD_EMAIL_TAKEN' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldError], description: 'For 400s: every offending field' })
  errors?: FieldError[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Facts about this occurrence, per code (e.g. `existingLeadId`, `actualRevision`)',
  })
  details?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'The X-Correlation-Id of the request, when it had one' })
  correlationId?: string;
}

const kebab = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** `LEAD_EMAIL_TAKEN` → `Lead email taken`; `HTTP_405` → `Method Not Allowed`. */
function titleOf(code: string, status: number): string {
  if (/^HTTP_\d+$/.test(code)) return STATUS_CODES[status] ?? code;
  const words = code
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\b(json|http|id)\b/g, (w) => w.toUpperCase());
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The problem document of an error met by the request at `path`. */
export function problemDetails(error: ErrorResponse, path: string, correlationId?: string): ProblemDetails {
  return {
    type: PROBLEM_TYPE_BASE + kebab(error.code),
    title: titleOf(error.code, error.statusCode),
    status: error.statusCode,
    detail: error.message,
    instance: path,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(error.details ? { details: error.details } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
}
