import fc from 'fast-check';
import type { FuzzRequest } from './http-fuzz';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const SEGMENT = fc.stringMatching(/^[A-Za-z0-9_-]{0,300}$/);
/** Claims an admin's token would carry, for forgeries. */
const ADMIN_CLAIMS = {
  sub: 'u-root',
  roles: ['admin'],
  aud: 'api://crm',
  iss: 'http://127.0.0.1:9400',
  exp: 4_102_444_800,
};

/** Authorization headers a service must answer 401 to, whatever the route: what each is, and its value. */
const BAD_AUTHORIZATION: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['empty', ''],
    ['scheme only', 'Bearer'],
    ['scheme and space', 'Bearer '],
    ['basic credentials', 'Basic YWRtaW46YWRtaW4='],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['X-Actor-Roles style value', 'admin'],
    ['unsigned (alg none) admin token', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(ADMIN_CLAIMS)}.`],
    [
      'HS256 admin token, made-up secret',
      `Bearer ${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(ADMIN_CLAIMS)}.c2lnbmF0dXJl`,
    ],
    ['huge token', `Bearer ${'A'.repeat(7_000)}.${'B'.repeat(700)}.${'C'.repeat(300)}`],
  ),
  fc
    .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), SEGMENT)
    .map(([header, payload, signature]): [string, string] => [
      'random JWT-shaped token',
      `Bearer ${b64(header)}.${b64(payload)}.${signature}`,
    ]),
  fc
    .tuple(SEGMENT, SEGMENT, SEGMENT)
    .map(([a, b, c]): [string, string] => ['random segments', `Bearer ${a}.${b}.${c}`]),
  fc
    .string({ maxLength: 200 })
    .map((text): [string, string] => ['random text', text.replace(/[^\x20-\x7e]/g, '')]),
);

/**
 * A plausible request (random ids, a body shaped like the schema) without a valid token: it must
 * be refused with 401 before the route runs, whatever else is in it.
 */
export function withoutValidToken(
  route: string,
  drafts: fc.Arbitrary<Omit<FuzzRequest, 'route' | 'mustRefuse'>>,
): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(drafts, BAD_AUTHORIZATION).map(([draft, [what, value]]) => ({
    ...draft,
    route,
    headers: { ...draft.headers, authorization: value },
    fault: `auth: ${what}`,
    mustRefuse: true,
  }));
}

/** Requests whose token is refused must be answered 401, not merely refused. */
export const isAuthFault = (request: FuzzRequest) => request.fault.startsWith('auth: ');
