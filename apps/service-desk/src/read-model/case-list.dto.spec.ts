import { BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@crm/service-kit';
import { encodeCaseCursor } from './case-cursor';
import { ListCasesQuery } from './case-list.dto';

/** `GET /cases` query strings through the services' validation pipe, as the HTTP edge reads them. */
const read = (query: Record<string, string | string[]>) =>
  createValidationPipe().transform(query, { type: 'query', metatype: ListCasesQuery });

/** The fields a 400 names. */
async function refused(query: Record<string, string | string[]>): Promise<string[]> {
  const error = await read(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  const body = (error as BadRequestException).getResponse() as { code: string; errors: { field: string }[] };
  expect(body.code).toBe('VALIDATION_FAILED');
  return body.errors.map((e) => e.field);
}

const cursor = encodeCaseCursor({
  openedAt: new Date('2026-06-08T09:00:00.000Z'),
  caseId: '0b6f1a5e-7c1d-4c1e-9d3a-2f5b8e6a1c00',
});

describe('case list filters', () => {
  it('reads every filter, statuses as a list, breached and paging as their types', async () => {
    const query = await read({
      status: 'open,pending',
      caseType: 'complaint',
      priority: 'urgent',
      queue: 'tier-2',
      assigneeId: 'sam',
      customerId: '0b6f1a5e-7c1d-4c1e-9d3a-2f5b8e6a1c00',
      breached: 'true',
      limit: '200',
      offset: '40',
    });
    expect(query).toEqual({
      status: ['open', 'pending'],
      caseType: 'complaint',
      priority: 'urgent',
      queue: 'tier-2',
      assigneeId: 'sam',
      customerId: '0b6f1a5e-7c1d-4c1e-9d3a-2f5b8e6a1c00',
      breached: true,
      limit: 200,
      offset: 40,
    });
    expect(await read({ status: ['new', 'on_hold'], breached: 'false', cursor })).toEqual({
      status: ['new', 'on_hold'],
      breached: false,
      cursor,
    });
  });

  it.each([
    [{ status: 'open,waiting' }, ['status']],
    [{ caseType: 'question' }, ['caseType']],
    [{ priority: 'critical' }, ['priority']],
    [{ customerId: 'acme' }, ['customerId']],
    [{ breached: 'yes' }, ['breached']],
    [{ limit: '201' }, ['limit']],
    [{ limit: '0' }, ['limit']],
    [{ limit: 'ten' }, ['limit']],
    [{ offset: '-1' }, ['offset']],
    [{ cursor: 'garbage!' }, ['cursor']],
    [{ cursor, offset: '10' }, ['cursor']],
    [{ queue: '  ' }, ['queue']],
    [{ sort: 'subject' }, ['sort']],
    [{ priority: 'critical', limit: '500' }, ['priority', 'limit']],
  ])('answers 400 naming the bad fields of %j', async (query, fields) => {
    expect(await refused(query)).toEqual(fields);
  });
});
