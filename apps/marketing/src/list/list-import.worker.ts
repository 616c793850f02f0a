import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { assertValidEvent, ORGANISATION_CUSTOMER_ID } from '@crm/contracts';
import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { REJECTIONS, rowKind, type CsvRow } from './list-csv';
import { listDecider, type ListCommand, type ListState } from './list.decider';
import { LIST_STREAM_SCHEMA_VERSIONS, listStreamId, type ListEvent } from './list.events';

export interface ListImportWorkerOptions {
  pool: Pool;
  store: EventStore;
  /** Rows per batch (one transaction, one `StaticListMembersAdded`); keep it fixed across restarts. */
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

interface Job {
  import_id: string;
  list_id: string;
  done_line: number;
  added: number;
}

/**
 * Processes uploaded CSV imports in batches, resumably. `marketing.list_import` is the job table:
 * each batch is one transaction that claims an import in state `processing` FOR UPDATE SKIP
 * LOCKED (no two workers on one import), reads the next `batchSize` rows after `done_line`,
 * resolves each to a customer (id or e-mail, through `marketing.customer_profile`) or a rejection,
 * appends the batch's `StaticListMembersAdded` (naming the import and its lines) to the list, and
 * commits the rejections and the progress (`done_line`, `done`, `rejected`, `added`) together.
 *
 * A crash before the commit rolls back progress and rejections: the batch runs again from the same
 * `done_line`. If the event had been appended, the list decider sees the batch's lines taken
 * already and records nothing (and the list never holds a customer twice anyway), so no row counts
 * twice and none is skipped.
 */
export class ListImportWorker {
  private readonly lists: CommandHandler<ListCommand, ListState, ListEvent>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  readonly batchSize: number;

  constructor(private readonly options: ListImportWorkerOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.lists = new CommandHandler({
      store: options.store,
      decider: listDecider,
      schemaVersions: LIST_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
  }

  /** Polls for imports to process until stopped. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for work now (an upload just completed). */
  nudge(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs batches until no import has work left (or `maxBatches`); how many it ran. */
  async drain(maxBatches = Infinity): Promise<number> {
    let batches = 0;
    while (batches < maxBatches && (await this.processBatch())) batches++;
    return batches;
  }

  /** One batch of one import with work left, in one transaction; false when there is none. */
  async processBatch(): Promise<boolean> {
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
      const { rows: jobs } = await client.query<Job>(
        `select import_id, list_id, done_line, added from marketing.list_import
          where state = 'processing' order by created_at limit 1 for update skip locked`,
      );
      if (jobs.length === 0) {
        await client.query('commit');
        return false;
      }
      await this.batch(client, jobs[0]);
      await client.query('commit');
      return true;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async batch(client: PoolClient, job: Job) {
    const { rows } = await client.query<CsvRow>(
      `select line, value from marketing.list_import_row where import_id = $1 and line > $2 order by line limit $3`,
      [job.import_id, job.done_line, this.batchSize],
    );
    if (rows.length > 0) {
      const { customerIds, rejections } = await this.resolve(client, rows);
      let added = job.added;
      const fromLine = rows[0].line;
      const toLine = rows[rows.length - 1].line;
      if (customerIds.length > 0) {
        const at = new Date().toISOString();
        const { state } = await this.lists.handle(
          listStreamId(job.list_id),
          {
            type: 'AddMembers',
            data: { customerIds, import: { importId: job.import_id, fromLine, toLine }, at },
          },
          { commandId: randomUUID(), correlationId: job.import_id, actor: 'marketing:list-import' },
        );
        if (state.status === 'created') added = state.imports[job.import_id]?.added ?? added;
      }
      if (rejections.length > 0)
        await client.query(
          `insert into marketing.list_import_rejection (import_id, line, value, reason)
           select $1, * from unnest($2::int[], $3::text[], $4::text[]) on conflict do nothing`,
          [
            job.import_id,
            rejections.map((r) => r.line),
            rejections.map((r) => r.value),
            rejections.map((r) => r.reason),
          ],
        );
      await client.query(
        `update marketing.list_import
            set done_line = $2, done = done + $3, rejected = rejected + $4, added = $5, updated_at = now()
          where import_id = $1`,
        [job.import_id, toLine, rows.length, rejections.length, added],
      );
    }
    const { rowCount } = await client.query(
      `update marketing.list_import set state = 'completed', completed_at = now(), updated_at = now()
        where import_id = $1 and done >= total`,
      [job.import_id],
    );
    // The uploaded lines (e-mail addresses among them) were staging: gone once the import is done.
    if (rowCount)
      await client.query(`delete from marketing.list_import_row where import_id = $1`, [job.import_id]);
  }

  /** Each row's customer, or its rejection with the reason, in line order. */
  private async resolve(client: PoolClient, rows: CsvRow[]) {
    const kinds = rows.map((row) => ({ row, kind: rowKind(row.value) }));
    const ids = kinds.flatMap(({ kind }) => (kind.kind === 'customerId' ? [kind.customerId] : []));
    const emails = kinds.flatMap(({ kind }) => (kind.kind === 'email' ? [kind.email] : []));
    const { rows: profiles } = await client.query<{ customer_id: string; erased: boolean }>(
      `select customer_id, erased_at is not null as erased from marketing.customer_profile where customer_id = any($1::uuid[])`,
      [ids],
    );
    const byId = new Map(profiles.map((p) => [p.customer_id, p.erased]));
    const { rows: addressed } = await client.query<{ email: string; ids: string[] }>(
      `select lower(email) as email, array_agg(customer_id::text) as ids from marketing.customer_profile
        where lower(email) = any($1::text[]) and erased_at is null group by lower(email)`,
      [emails],
    );
    const byEmail = new Map(addressed.map((a) => [a.email, a.ids]));
    const customerIds: string[] = [];
    const rejections: { line: number; value: string; reason: string }[] = [];
    for (const { row, kind } of kinds) {
      let reason: string | undefined;
      if (kind.kind === 'invalid') reason = REJECTIONS.invalid;
      else if (kind.kind === 'customerId') {
        const erased = byId.get(kind.customerId);
        if (erased === undefined) reason = REJECTIONS.unknownCustomer;
        else if (erased) reason = REJECTIONS.erased;
        else customerIds.push(kind.customerId);
      } else {
        const found = byEmail.get(kind.email) ?? [];
        if (found.length === 0) reason = REJECTIONS.unknownEmail;
        else if (found.length > 1) reason = REJECTIONS.ambiguousEmail;
        else customerIds.push(found[0]);
      }
      if (reason) rejections.push({ line: row.line, value: row.value, reason });
    }
    return { customerIds, rejections };
  }

  private schedule(delay: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .then(() => undefined)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.pollIntervalMs ?? 1000);
        });
    }, delay);
    this.timer.unref?.();
  }
}
