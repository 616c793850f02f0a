import { applyDecorators, type INestApplication, type Type } from '@nestjs/common';
import {
  ApiHeader,
  ApiResponse,
  DocumentBuilder,
  SwaggerModule,
  getSchemaPath,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { PROBLEM_JSON, ProblemDetails } from './error-response';

/** What a service says about itself in its OpenAPI document. */
export interface ApiDescription {
  title: string;
  description: string;
  version: string;
  /** The service's own tags (those of its controllers), each with its description. */
  tags?: Record<string, string>;
}

/** Tags of the routes every service gets from the platform module. */
const PLATFORM_TAGS: Record<string, string> = {
  health: 'Liveness and readiness probes, and Prometheus metrics',
  operations: 'Records the consumers parked (dead letters) and their replay (admins)',
};

/** The content of every error response: the one problem+json schema. */
export const problemContent = { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetails) } } };

/** The security scheme of every route that is not public: an access token of the identity provider. */
export const BEARER_SCHEME = 'bearer';

const RETRY_AFTER = {
  description: 'Seconds to wait before sending the request again',
  schema: { type: 'integer' },
};

/** The HTTP statuses of the errors routes document, each as a problem+json response. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 503;

/**
 * The errors a route can answer, one description per status, each with the one problem+json
 * schema: `@ApiProblems({ ...BODY_COMMAND_PROBLEMS, 404: 'No lead with this id (LEAD_NOT_FOUND)' })`.
 */
export function ApiProblems(descriptions: Partial<Record<ProblemStatus, string>>) {
  return applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: problemContent,
        ...(status === '503' ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
      }),
    ),
  );
}

/** `ETag` of a response: the revision of the resource it shows, for `If-Match`. */
export const ETAG_HEADER = {
  ETag: {
    description: 'The revision of the resource, e.g. `"3"`; send it back as `If-Match`',
    schema: { type: 'string' },
  },
};

/** The success of a command: the new revision in the body and as `ETag` (and `Location` when it created something). */
export function ApiCommandResult(options: {
  status: 200 | 201;
  description: string;
  type?: Type;
  location?: boolean;
}) {
  const { location, ...response } = options;
  const headers = location
    ? { ...ETAG_HEADER, Location: { description: 'Path of the new resource', schema: { type: 'string' } } }
    : ETAG_HEADER;
  return ApiResponse({ ...response, headers });
}

/** The optional `If-Match` of a command on `resource`, and its 412. */
export function ApiIfMatch(resource: string) {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: `ETag of the ${resource} last seen (e.g. \`"3"\`): the command applies only if the ${resource} is still at that revision. Anything but such an ETag is refused (400 BAD_IF_MATCH)`,
    }),
    ApiProblems({
      412: `The ${resource} changed since the If-Match revision (PRECONDITION_FAILED, \`details.expectedRevision\` and \`actualRevision\`): read it again`,
    }),
  );
}

const OUTAGE =
  'The database is unavailable or did not answer in time (DEPENDENCY_UNAVAILABLE): send the request again after `Retry-After` seconds (a command with If-Match, so that it cannot apply twice)';
const BODY_LIMITS = {
  413: 'The body is larger than the limit (PAYLOAD_TOO_LARGE, `details.limit` in bytes)',
  415: 'The body is not `application/json` (UNSUPPORTED_MEDIA_TYPE)',
} as const;

/** Every query: a malformed id or query parameter; the database unavailable. */
export const QUERY_PROBLEMS = {
  400: 'A path or query parameter is unknown or invalid (VALIDATION_FAILED, each named in `errors`)',
  503: OUTAGE,
} as const;

/** Every command with a JSON body, before and around what its own rules refuse. */
export const BODY_COMMAND_PROBLEMS = {
  400: 'The body is not JSON (MALFORMED_JSON), or fields or path parameters are missing, unknown or invalid (VALIDATION_FAILED, each named in `errors`)',
  ...BODY_LIMITS,
  409: 'Without If-Match, concurrent commands kept changing the resource and this one could not be applied (REVISION_CONFLICT): send it again',
  503: OUTAGE,
} as const;

/** Every command that takes no body. */
export const NO_BODY_COMMAND_PROBLEMS = {
  ...BODY_COMMAND_PROBLEMS,
  400: 'The command takes no body but one with fields was sent, or a path parameter is invalid (VALIDATION_FAILED, each named in `errors`)',
} as const;

/** `HealthController`, `live` → `healthLive`; `MetricsController`, `metrics` → `metrics`. */
function operationId(controllerKey: string, methodKey: string): string {
  const noun = controllerKey.replace(/Controller$/, '');
  const name = noun.charAt(0).toLowerCase() + noun.slice(1);
  if (methodKey.toLowerCase() === name.toLowerCase()) return name;
  return name + methodKey.charAt(0).toUpperCase() + methodKey.slice(1);
}

/**
 * The service's OpenAPI 3 document: relative server, license, contact, described tags, the
 * problem+json schema, a 500 on every operation. Routes name their own operationId and summary
 * (`@ApiOperation`); those that do not get `<controller><Method>`.
 */
export function createOpenApiDocument(app: INestApplication, api: ApiDescription): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(api.title)
    .setDescription(api.description)
    .setVersion(api.version)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'This service: paths are relative to where this document is served')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "An access token (JWT) of the organisation's identity provider (OIDC_ISSUER_URL) for this API (OIDC_AUDIENCE), carrying the caller's roles",
      },
      BEARER_SCHEME,
    )
    .addGlobalResponse({
      status: 500,
      description: 'An unexpected fault of the service (INTERNAL_ERROR)',
      content: problemContent,
    })
    .build();
  config.info.contact = { name: 'CRM platform team' };
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails],
    operationIdFactory: operationId,
  });
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item) as unknown[]);
  const used = new Set(operations.flatMap((op) => (op as { tags?: string[] } | null)?.tags ?? []));
  const descriptions: Record<string, string> = { ...PLATFORM_TAGS, ...api.tags };
  document.tags = [...used].map((name) =>
    descriptions[name] ? { name, description: descriptions[name] } : { name },
  );
  return document;
}
