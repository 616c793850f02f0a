import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { actorRolesFrom, commandContextFrom } from './command-context';
import { revisionFromIfMatch } from './revision';

const request = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>();

/** The revision from `If-Match`, or undefined: `@IfMatchRevision() expected?: number`. */
export const IfMatchRevision = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  revisionFromIfMatch(request(ctx).header('if-match')),
);

/** The CommandContext of the request (ids, actor, trace): `@CommandCtx() context: CommandContext`. */
export const CommandCtx = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  commandContextFrom(request(ctx)),
);

/** The caller's roles from X-Actor-Roles. */
export const ActorRoles = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  actorRolesFrom(request(ctx)),
);
