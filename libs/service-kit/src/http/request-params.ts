import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ErrorResponse } from './error-response';
import { commandContextFrom } from './command-context';
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

/**
 * For a command that takes no body (`@NoBody() _body: undefined`): none, an empty one or `{}` is
 * fine; anything else is refused (400) naming each field, as unknown fields are on other commands.
 */
export const NoBody = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const body: unknown = request(ctx).body;
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (body === undefined || (isObject && Object.keys(body).length === 0)) return undefined;
  const fields = isObject ? Object.keys(body) : ['(body)'];
  throw new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: 'this command takes no body',
    errors: fields.map((field) => ({ field, messages: [`${field} should not exist`] })),
  } satisfies ErrorResponse);
});
