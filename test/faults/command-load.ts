import { randomBytes, randomUUID } from 'node:crypto';
import { bearer } from '@crm/test-support';

export type Step = 'capture' | 'engage' | 'qualify' | 'convert';

/** One request of the load: when it ran and what the client got (HTTP status, or why none). */
export interface Outcome {
  step: Step;
  startedAt: number;
  endedAt: number;
  /** `'201'`, `'503'`, ..., or `'timeout'` / a socket error code (`ECONNREFUSED`, ...) when no answer came. */
  status: string;
  retryAfter?: string;
  code?: string;
}

/** A command the service acknowledged (2xx): the lead it touched and the stream revision it answered. */
export interface Ack {
  requestId: string;
  step: Step;
  leadId: string;
  customerId: string;
  revision: number;
}

interface Flow {
  leadId: string;
  customerId: string;
  next: Step | 'done';
  converts: boolean;
  busy: boolean;
  /** Qualified, but not to be converted until released. */
  held?: boolean;
}

const NEXT: Record<Step, (converts: boolean) => Step | 'done'> = {
  capture: () => 'engage',
  engage: (converts) => (converts ? 'qualify' : 'done'),
  qualify: () => 'convert',
  convert: () => 'done',
};

/** Requests every `intervalMs`, whatever the answers take: one capture, then two steps of earlier leads. */
const PATTERN = ['capture', 'advance', 'advance'] as const;

const EXPECTED: Record<Step, number> = { capture: 201, engage: 201, qualify: 200, convert: 200 };

/** Who sends the load: a sales rep, so that every command also passes the record-level rule. */
const CALLER = 'sales_rep';

/**
 * Steady command load on the leads service, at a fixed rate (an open model: a slow or failing
 * request does not slow the next ones down), as the demo sales rep rep-1 (a real token from the
 * identity provider), who owns the leads they capture. Leads are captured, engaged, and every other one
 * qualified and converted. A step that failed is sent again later, as a client would; one the
 * service refused with a 4xx ends that lead's flow. Every outcome is kept, and every ack.
 */
export class CommandLoad {
  readonly outcomes: Outcome[] = [];
  readonly acks: Ack[] = [];
  private readonly flows: Flow[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private captured = 0;
  private authorization = '';

  constructor(
    private readonly leadsUrl: () => string,
    private readonly intervalMs = 80,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Signs the caller in, then sends at the fixed rate until stop(). */
  async start(): Promise<void> {
    this.authorization = await bearer(CALLER);
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  /** Outcomes of requests sent at or after `from` and answered by `to`. */
  between(from: number, to = Date.now()): Outcome[] {
    return this.outcomes.filter((o) => o.startedAt >= from && o.endedAt <= to);
  }

  /**
   * Picks a lead on its way to conversion and keeps it from being converted (it is still
   * engaged and qualified) until release(); answers its id, or undefined if there is none now.
   */
  holdBeforeConversion(): string | undefined {
    const flow = this.flows.find((f) => f.converts && f.next !== 'done' && !(f.next === 'convert' && f.busy));
    if (flow) flow.held = true;
    return flow?.leadId;
  }

  /** True once a held lead is qualified and waits for its conversion. */
  waitsForConversion(leadId: string): boolean {
    const flow = this.flows.find((f) => f.leadId === leadId);
    return flow?.next === 'convert' && !flow.busy;
  }

  release(leadId: string): void {
    for (const flow of this.flows) if (flow.leadId === leadId) flow.held = false;
  }

  acksOf(step: Step): Ack[] {
    return this.acks.filter((a) => a.step === step);
  }

  private tick(): void {
    const kind = PATTERN[this.ticks++ % PATTERN.length];
    const flow =
      kind === 'advance'
        ? this.flows.find((f) => !f.busy && f.next !== 'done' && !(f.held && f.next === 'convert'))
        : undefined;
    const request = flow ? this.advance(flow) : this.capture();
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  private async capture(): Promise<void> {
    const tag = randomBytes(5).toString('hex');
    const answer = await this.send('capture', '/leads', {
      personName: 'Olga Ruiz',
      companyName: `Acme ${tag}`,
      email: `olga.${tag}@acme.example`,
      channel: 'referral',
      companySize: 400,
      interests: ['erp'],
    });
    if (!answer.acked) return;
    const { id, customerId } = answer.body as { id: string; customerId: string };
    const converts = this.captured++ % 2 === 0;
    this.flows.push({ leadId: id, customerId, next: NEXT.capture(converts), converts, busy: false });
  }

  private async advance(flow: Flow): Promise<void> {
    const step = flow.next as Step;
    flow.busy = true;
    const path = {
      capture: '/leads',
      engage: `/leads/${flow.leadId}/engagements`,
      qualify: `/leads/${flow.leadId}/qualify`,
      convert: `/leads/${flow.leadId}/convert`,
    }[step];
    const body = step === 'engage' ? { kind: 'meeting', channel: 'event' } : undefined;
    const answer = await this.send(step, path, body, flow);
    if (answer.acked) flow.next = NEXT[step](flow.converts);
    else if (answer.status.startsWith('4')) flow.next = 'done';
    flow.busy = false;
  }

  /** One request; answers its status, and whether the service acknowledged it (with the body). */
  private async send(
    step: Step,
    path: string,
    body: unknown,
    flow?: Flow,
  ): Promise<{ status: string; acked: boolean; body?: Record<string, unknown> }> {
    const requestId = randomUUID();
    const startedAt = Date.now();
    const record = (o: Omit<Outcome, 'step' | 'startedAt' | 'endedAt'>) => {
      this.outcomes.push({ step, startedAt, endedAt: Date.now(), ...o });
      return o.status;
    };
    try {
      const response = await fetch(`${this.leadsUrl()}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          authorization: this.authorization,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const status = record({
        status: String(response.status),
        ...(response.headers.has('retry-after') ? { retryAfter: response.headers.get('retry-after')! } : {}),
        ...(typeof parsed.code === 'string' ? { code: parsed.code } : {}),
      });
      if (response.status !== EXPECTED[step]) return { status, acked: false };
      this.acks.push({
        requestId,
        step,
        leadId: flow?.leadId ?? String(parsed.id),
        customerId: flow?.customerId ?? String(parsed.customerId),
        revision: Number(parsed.revision),
      });
      return { status, acked: true, body: parsed };
    } catch (error) {
      return { status: record({ status: failureOf(error) }), acked: false };
    }
  }
}

/** Why no answer came: `timeout`, or the socket error code (ECONNREFUSED, ECONNRESET, ...). */
function failureOf(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? e.code ?? e.name ?? 'error';
}

/** Counts of outcomes by status, e.g. `{ '201': 40, '503': 12, ECONNREFUSED: 3 }`. */
export function histogram(outcomes: { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Outcomes a client should not get in any outage: a 5xx other than a clean 503, or no answer in time. */
export function uncleanOutcomes(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter(
    (o) =>
      o.status === 'timeout' ||
      (o.status.startsWith('5') &&
        !(o.status === '503' && o.retryAfter !== undefined && o.code === 'DEPENDENCY_UNAVAILABLE')),
  );
}
