import { HttpCode, Patch, Post, Put, applyDecorators, type Type } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Roles } from '../auth/access';
import type { Role } from '../auth/roles';
import { ApiCommandResult, ApiIfMatch, ApiProblems, type ProblemStatus } from './openapi';

export interface CommandEndpointOptions {
  method?: 'post' | 'patch' | 'put';
  path: string;
  roles: [Role, ...Role[]];
  operationId: string;
  summary: string;
  /** The answer: status (default 200), its description and body type. */
  status?: 200 | 201;
  description: string;
  type: Type;
  /** The resource whose revision `If-Match` may pin (e.g. `case`); none: the command takes no If-Match. */
  ifMatch?: string;
  /** A `Location` header names the new resource. */
  location?: boolean;
  problems: Partial<Record<ProblemStatus, string>>;
}

/**
 * One declaration of a command route: path, roles, status, OpenAPI operation, answer (with its
 * ETag), If-Match and the problems it may answer, instead of the same stack of decorators on
 * every command of every controller.
 */
export function CommandEndpoint(o: CommandEndpointOptions) {
  const status = o.status ?? 200;
  return applyDecorators(
    { post: Post, patch: Patch, put: Put }[o.method ?? 'post'](o.path),
    Roles(...o.roles),
    HttpCode(status),
    ApiOperation({ operationId: o.operationId, summary: o.summary }),
    ApiCommandResult({
      status,
      description: o.description,
      type: o.type,
      ...(o.location ? { location: true } : {}),
    }),
    ...(o.ifMatch ? [ApiIfMatch(o.ifMatch)] : []),
    ApiProblems(o.problems),
  );
}
