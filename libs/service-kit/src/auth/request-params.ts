import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { principalOf } from './principal';
import { recordScope, type RecordAccess } from './record-scope';

const request = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>();

/** The verified caller: `@CurrentPrincipal() caller: Principal | undefined` (undefined on public routes). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  principalOf(request(ctx)),
);

/** Whose records the caller may read or change: `@OwnerScope('write') scope: RecordScope`. */
export const OwnerScope = createParamDecorator((access: RecordAccess, ctx: ExecutionContext) =>
  recordScope(principalOf(request(ctx)), access),
);
