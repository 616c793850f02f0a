import fc from 'fast-check';
import { requestsFor, type FuzzRequest } from './http-fuzz';
import { isAuthFault } from './http-fuzz-auth';
import type { Route } from './openapi-routes';
import { bearer } from './tokens';

export interface FuzzOptions {
  service: string;
  baseUrl: string;
  routes: Route[];
  seed: number;
  /** Runs of the property; each sends `concurrency` requests at once. */
  batches: number;
  concurrency: number;
  /** A request without an answer by then is a hang. */
  timeoutMs: number;
  /** Every request carries `x-correlation-id: <prefix>-<n>`, so its events could be found. */
  correlationPrefix: string;
  /** The Authorization of requests that do not carry a bad one; default: the demo admin's token. */
  authorization?: string;
}

export interface FuzzFigures {
  service: string;
  requests: number;
  statuses: Record<number, number>;
  faults: Record<string, number>;
  routes: number;
  durationMs: number;
}

interface Answer {
  status: number;
  contentType?: string | null;
  text: string;
}

async function send(
  baseUrl: string,
  request: FuzzRequest,
  correlationId: string,
  timeoutMs: number,
  authorization: string,
) {
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: { authorization, ...request.headers, 'x-correlation-id': correlationId },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const contentType = response.headers.get('content-type');
    return { status: response.status, contentType, text: await response.text() };
  } catch (error) {
    const name = (error as Error).name;
    return { status: 0, text: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(error) };
  }
}

/** What is wrong with an answer, or undefined. */
export function problemWith(request: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status === 0) return answer.text;
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (isAuthFault(request) && answer.status !== 401) return `answered ${answer.status} without a valid token`;
  if (request.mustRefuse && answer.status < 400) return `accepted a faulty command (${answer.status})`;
  if (answer.status < 400) return undefined;
  if (!answer.contentType?.startsWith('application/problem+json'))
    return `the error is ${answer.contentType ?? 'untyped'}, not application/problem+json`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    return 'the error is not JSON';
  }
  const members = ['type', 'title', 'detail', 'instance', 'code'];
  if (body.status !== answer.status || members.some((member) => typeof body[member] !== 'string'))
    return `the error lacks status, ${members.join(', ')} (RFC 9457 problem details)`;
  if (/\\n\s+at |node_modules|\.[jt]s:\d+:\d+/.test(answer.text)) return 'the error shows a stack trace';
  return undefined;
}

const excerpt = (value: unknown, max = 300) => {
  const text = value instanceof Uint8Array ? `<${value.length} bytes>` : String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
};

/**
 * Sends `batches × concurrency` generated requests to one service and checks every answer
 * ({@link problemWith}). Shrinking is off (`endOnFailure`): the first failure is reported with the
 * seed and path that replay it, the request and the answer.
 */
export async function fuzzHttp(options: FuzzOptions): Promise<FuzzFigures> {
  const { baseUrl, seed, concurrency, timeoutMs } = options;
  const authorization = options.authorization ?? (await bearer());
  const figures: FuzzFigures = {
    service: options.service,
    requests: 0,
    statuses: {},
    faults: {},
    routes: options.routes.length,
    durationMs: 0,
  };
  const requests = fc.oneof(...options.routes.map(requestsFor));
  const started = Date.now();
  let failure: string | undefined;
  await fc.assert(
    fc.asyncProperty(
      fc.array(requests, { minLength: concurrency, maxLength: concurrency }),
      async (batch) => {
        const answers = await Promise.all(
          batch.map((request) =>
            send(
              baseUrl,
              request,
              `${options.correlationPrefix}-${figures.requests++}`,
              timeoutMs,
              authorization,
            ),
          ),
        );
        batch.forEach((request, i) => {
          const answer = answers[i];
          figures.statuses[answer.status] = (figures.statuses[answer.status] ?? 0) + 1;
          const kind = request.fault.split(':')[0];
          figures.faults[kind] = (figures.faults[kind] ?? 0) + 1;
          const problem = problemWith(request, answer);
          if (problem && !failure) {
            failure = [
              `${options.service}: ${problem}`,
              `  ${request.method} ${excerpt(request.path, 200)} (${request.route}; ${request.fault})`,
              `  headers ${JSON.stringify(request.headers)}`,
              `  body ${excerpt(request.body)}`,
              `  answer ${answer.status} ${excerpt(answer.text)}`,
            ].join('\n');
          }
        });
        return failure === undefined;
      },
    ),
    {
      seed,
      numRuns: options.batches,
      endOnFailure: true,
      // The default report prints the whole counterexample (bodies of up to 400 kB): ours is short.
      reporter: (details) => {
        if (!details.failed) return;
        const replay = `replay: seed ${details.seed}, path "${details.counterexamplePath}"`;
        throw new Error(`${failure ?? String(details.errorInstance)}\n${replay}`);
      },
    },
  );
  figures.durationMs = Date.now() - started;
  return figures;
}
