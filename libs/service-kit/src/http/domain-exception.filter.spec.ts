import { Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { StreamRevisionConflictError, conflict } from '@crm/decider';
import { QueryFailedError } from 'typeorm';
import { DomainExceptionFilter } from './domain-exception.filter';

/** What a client receives for `exception`, thrown while serving `url`. */
function answer(exception: unknown, url = '/leads/l-1/qualify?x=1', correlationId?: string) {
  const sent = { status: 0, type: '', headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    status: (status: number) => ((sent.status = status), response),
    type: (type: string) => ((sent.type = type), response),
    json: (body: unknown) => ((sent.body = body), response),
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
  };
  const request = {
    originalUrl: url,
    header: (name: string) => (name === 'x-correlation-id' ? correlationId : undefined),
  };
  const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) };
  new DomainExceptionFilter().catch(exception, host as unknown as ArgumentsHost);
  return sent;
}

describe('error responses (RFC 9457 problem details)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers a stale If-Match with 412 PRECONDITION_FAILED and both revisions', () => {
    const sent = answer(new StreamRevisionConflictError('lead-l-1', 2, 4), undefined, 'corr-1');
    expect(sent.status).toBe(412);
    expect(sent.type).toBe('application/problem+json');
    expect(sent.body).toEqual({
      type: 'https://crm.example/problems/precondition-failed',
      title: 'Precondition failed',
      status: 412,
      detail: 'the resource changed since revision 2',
      instance: '/leads/l-1/qualify',
      code: 'PRECONDITION_FAILED',
      details: { streamId: 'lead-l-1', expectedRevision: 2, actualRevision: 4 },
      correlationId: 'corr-1',
    });
  });

  it('keeps 409 for business conflicts and for concurrent writes nobody pinned', () => {
    const taken = answer(conflict('LEAD_EMAIL_TAKEN', 'taken', { existingLeadId: 'l-0' }), '/leads');
    expect(taken.body).toMatchObject({
      type: 'https://crm.example/problems/lead-email-taken',
      title: 'Lead email taken',
      status: 409,
      details: { existingLeadId: 'l-0' },
    });
    const raced = answer(new StreamRevisionConflictError('lead-l-1', 3, 5, false));
    expect(raced.body).toMatchObject({ status: 409, code: 'REVISION_CONFLICT' });
  });

  it("renders the bodies HttpExceptions carry, ours and Nest's", () => {
    const ours = new NotFoundException({
      statusCode: 404,
      code: 'DEAD_LETTER_NOT_FOUND',
      message: 'no dead letter 7',
    });
    expect(answer(ours, '/dead-letters/7/replay').body).toEqual({
      type: 'https://crm.example/problems/dead-letter-not-found',
      title: 'Dead letter not found',
      status: 404,
      detail: 'no dead letter 7',
      instance: '/dead-letters/7/replay',
      code: 'DEAD_LETTER_NOT_FOUND',
    });
    expect(answer(new NotFoundException('Cannot GET /nope'), '/nope').body).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'Cannot GET /nope',
    });
  });

  it("answers the body parser's refusal of a large body with 413 and the limit", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      type: 'entity.too.large',
      limit: 102400,
    });
    expect(answer(tooLarge).body).toMatchObject({
      title: 'Payload too large',
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      details: { limit: 102400 },
    });
  });

  it('answers a database outage with 503, Retry-After and the same shape', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const sent = answer(refused);
    expect(sent.status).toBe(503);
    expect(sent.type).toBe('application/problem+json');
    expect(sent.headers['Retry-After']).toBe('5');
    expect(sent.body).toMatchObject({
      type: 'https://crm.example/problems/dependency-unavailable',
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
      details: { dependency: 'database', retryAfterSeconds: 5 },
    });
  });

  it('answers a failed SQL statement with 500 and a generic detail: no SQL, values or stack reach the client', () => {
    const sql = 'insert into leads.lead_summary (lead_id, email) values ($1, $2)';
    const driverError = Object.assign(
      new Error('duplicate key value violates unique constraint "lead_summary_pkey"'),
      { code: '23505', detail: 'Key (lead_id)=(l-1) already exists.', table: 'lead_summary' },
    );
    const failed = new QueryFailedError(sql, ['l-1', 'ana@example.com'], driverError);
    expect(failed.message).toContain('lead_summary_pkey');
    const sent = answer(failed, '/leads');
    expect(sent.status).toBe(500);
    expect(sent.type).toBe('application/problem+json');
    expect(sent.body).toEqual({
      type: 'https://crm.example/problems/internal-error',
      title: 'Internal error',
      status: 500,
      detail: 'internal error',
      instance: '/leads',
      code: 'INTERNAL_ERROR',
    });
  });

  it('answers a statement that timed out with 503, without its SQL', () => {
    const sql = "select * from leads.lead_summary where email = 'ana@example.com'";
    const timedOut = new QueryFailedError(
      sql,
      [],
      Object.assign(new Error(`canceling statement due to statement timeout: ${sql}`), { code: '57014' }),
    );
    const sent = answer(timedOut, '/leads');
    expect(sent.status).toBe(503);
    expect(JSON.stringify(sent.body)).not.toMatch(/select|lead_summary|ana@example\.com|statement timeout/);
  });
});
