import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ErrorResponse } from './error-response';

/** How deep a JSON body may nest (a top-level object is 1). Our DTOs need 3; 32 leaves room. */
export const JSON_MAX_DEPTH = 32;

/**
 * Keys that would reach an object's prototype once class-transformer or a spread copies them
 * (`__proto__`, `constructor`, `prototype`), and the names of Object.prototype's other members
 * (`toString`, `valueOf`, ...), which class-transformer drops without a word, so that the
 * unknown-field check never sees them.
 */
const FORBIDDEN_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export interface JsonBodyProblems {
  /** Path of the first value nested deeper than the limit. */
  tooDeepAt?: string;
  /** Path of every forbidden key. */
  forbiddenKeys: string[];
}

/** A body full of forbidden keys is named by its first few. */
const MAX_REPORTED_KEYS = 20;

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Walks a parsed JSON value without recursion (a 50,000-deep array must not overflow the stack),
 * stopping at the first value deeper than `maxDepth`.
 */
export function inspectJson(value: unknown, maxDepth = JSON_MAX_DEPTH): JsonBodyProblems {
  const forbiddenKeys: string[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 1 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.value !== 'object' || node.value === null) continue;
    if (node.depth > maxDepth) return { tooDeepAt: node.path || '(body)', forbiddenKeys };
    for (const [key, child] of Object.entries(node.value)) {
      const path = join(node.path, key);
      if (FORBIDDEN_KEYS.has(key)) forbiddenKeys.push(path);
      stack.push({ value: child, path, depth: node.depth + 1 });
    }
  }
  return { forbiddenKeys };
}

/** The media type of a request's body, lower case, without parameters ('' without one). */
export const mediaTypeOf = (request: { headers: Record<string, string | string[] | undefined> }) =>
  String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();

/**
 * RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` as a form to the
 * link of the `List-Unsubscribe` header. Routes at `/unsubscribe/<token>` take that body, and only
 * that, as no body; every other route takes JSON only.
 */
export const ONE_CLICK_PATH = /^\/unsubscribe\/[^/?]+$/;
const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';
const FORM = 'application/x-www-form-urlencoded';

/** Which bodies the text parser reads: JSON, and the one-click form on a one-click route. */
export const readsBody = (request: {
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}) =>
  mediaTypeOf(request) === 'application/json' ||
  (mediaTypeOf(request) === FORM && ONE_CLICK_PATH.test((request.url ?? '').split('?')[0]));

/** True when the request carries body bytes (an empty body with no content type is no body). */
function carriesBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const badRequest = (message: string, errors: ErrorResponse['errors']) =>
  new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message,
    errors,
  } satisfies ErrorResponse);

/**
 * Turns the text the body parser read (`application/json` only, within the size limit) into the
 * request body, refusing what must never reach class-transformer or a command:
 * 415 for a body of another media type, 400 for malformed JSON, for JSON nested deeper than
 * `maxDepth`, and for prototype keys anywhere. No body at all stays undefined (an empty command).
 */
export function jsonBody(maxDepth = JSON_MAX_DEPTH) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const text: unknown = request.body;
    if (typeof text !== 'string') {
      if (text === undefined && carriesBody(request)) {
        const contentType = request.headers['content-type'];
        next(
          new HttpException(
            {
              statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
              code: 'UNSUPPORTED_MEDIA_TYPE',
              message: 'send the body as application/json',
              details: { contentType: contentType ?? null },
            } satisfies ErrorResponse,
            HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          ),
        );
        return;
      }
      next();
      return;
    }
    if (text.trim() === '') {
      request.body = undefined;
      next();
      return;
    }
    if (mediaTypeOf(request) === FORM) {
      // Only a one-click route gets here with a form (see readsBody): its one body is no body.
      if (text.trim() === ONE_CLICK_BODY) {
        request.body = undefined;
        next();
        return;
      }
      const message = `a one-click unsubscribe posts ${ONE_CLICK_BODY} (RFC 8058)`;
      next(badRequest(message, [{ field: 'List-Unsubscribe', messages: [message] }]));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      next(
        new BadRequestException({
          statusCode: 400,
          code: 'MALFORMED_JSON',
          message: `the body is not valid JSON: ${(error as Error).message}`,
        } satisfies ErrorResponse),
      );
      return;
    }
    const { tooDeepAt, forbiddenKeys } = inspectJson(parsed, maxDepth);
    if (tooDeepAt !== undefined) {
      const message = `nested deeper than ${maxDepth} levels`;
      next(badRequest(`the body is ${message}`, [{ field: tooDeepAt, messages: [message] }]));
      return;
    }
    if (forbiddenKeys.length > 0) {
      const errors = forbiddenKeys.slice(0, MAX_REPORTED_KEYS).map((field) => ({
        field,
        messages: [`${field.slice(field.lastIndexOf('.') + 1)} is not allowed as a key`],
      }));
      next(badRequest('the body has keys that are not allowed', errors));
      return;
    }
    request.body = parsed;
    next();
  };
}
