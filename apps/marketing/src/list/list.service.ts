import { createHash, randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { assertValidEvent, commandTime, ORGANISATION_CUSTOMER_ID, type CommandContext } from '@crm/contracts';
import { CommandHandler, conflict, notFound, ruleBroken } from '@crm/decider';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { csvRows } from './list-csv';
import { ListImportWorker } from './list-import.worker';
import { listDecider, type ListCommand, type ListState } from './list.decider';
import type { CreateListDto, ImportChunkDto } from './list.dto';
import { LIST_STREAM_SCHEMA_VERSIONS, listStreamId, type ListEvent } from './list.events';

/** The most rows one import takes. */
export const IMPORT_MAX_ROWS = 100_000;

interface ImportRow {
  import_id: string;
  list_id: string;
  state: 'uploading' | 'processing' | 'completed';
  chunks: number;
  chunk_hashes: string[];
  lines: number;
  total: number;
  done: number;
  added: number;
  rejected: number;
  created_at: Date;
  uploaded_at: Date | null;
  completed_at: Date | null;
}

const importNotFound = () => notFound('LIST_IMPORT_NOT_FOUND', 'no import with this id for this list');

/**
 * Static lists over HTTP (stream `list-<listId>`), their members (read model
 * `marketing.static_list_member`) and CSV imports: uploaded in chunks into
 * `marketing.list_import_row`, processed in the background by the {@link ListImportWorker}.
 */
@Injectable()
export class ListService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly worker: ListImportWorker;
  private readonly handler: CommandHandler<ListCommand, ListState, ListEvent>;
  private readonly logger = new Logger('list-imports');

  constructor(@Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime) {
    this.handler = new CommandHandler({
      store: runtime.store,
      decider: listDecider,
      schemaVersions: LIST_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
    this.worker = new ListImportWorker({
      pool: runtime.pool,
      store: runtime.store,
      onError: (error) =>
        this.logger.warn({ msg: 'list import batch failed; tried again later', error: String(error) }),
    });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.stop();
  }

  async create(dto: CreateListDto, context: CommandContext) {
    const listId = randomUUID();
    const data = { listId, name: dto.name, ...(dto.description ? { description: dto.description } : {}) };
    const { revision } = await this.handler.handle(
      listStreamId(listId),
      { type: 'CreateList', data: { ...data, at: commandTime(context) } },
      context,
      { newStream: true },
    );
    return { listId, revision };
  }

  async get(listId: string) {
    const { state, revision } = await this.handler.load(listStreamId(listId));
    if (state.status === 'none') throw notFound('LIST_NOT_FOUND', 'no list with this id');
    const { listId: id, name, description, members } = state;
    return { listId: id, name, ...(description ? { description } : {}), members: members.size, revision };
  }

  async change(
    listId: string,
    type: 'AddMembers' | 'RemoveMembers',
    customerIds: string[],
    context: CommandContext,
  ) {
    const ids = customerIds.map((id) => id.toLowerCase());
    const { state, events, revision } = await this.handler.handle(
      listStreamId(listId),
      { type, data: { customerIds: ids, at: commandTime(context) } },
      context,
    );
    const changed = events.reduce(
      (n, e) => n + (e.type === 'StaticListCreated' ? 0 : e.data.customerIds.length),
      0,
    );
    return {
      listId,
      [type === 'AddMembers' ? 'added' : 'removed']: changed,
      members: state.status === 'created' ? state.members.size : 0,
      revision,
    };
  }

  /** A page of members, by customer id, from the read model. */
  async members(listId: string, { after, limit = 100 }: { after?: string; limit?: number }) {
    const rows = await this.runtime.db.query<
      { customer_id: string; added_at: Date; import_id: string | null }[]
    >(
      `select customer_id, added_at, import_id from marketing.static_list_member
        where list_id = $1 and ($2::uuid is null or customer_id > $2) order by customer_id limit $3`,
      [listId, after ?? null, limit + 1],
    );
    if (rows.length === 0 && after === undefined) await this.get(listId);
    const page = rows.slice(0, limit);
    return {
      listId,
      members: page.map((r) => ({
        customerId: r.customer_id,
        addedAt: r.added_at.toISOString(),
        ...(r.import_id ? { importId: r.import_id } : {}),
      })),
      ...(rows.length > limit ? { next: page[page.length - 1].customer_id } : {}),
    };
  }

  async startImport(listId: string, context: CommandContext) {
    await this.get(listId);
    const importId = randomUUID();
    await this.runtime.pool.query(
      'insert into marketing.list_import (import_id, list_id, created_by) values ($1, $2, $3)',
      [importId, listId, context.actor ?? 'unknown'],
    );
    return { importId, listId, state: 'uploading', nextChunk: 0 };
  }

  /**
   * Takes chunk `seq` of the upload (in order; one sent again with the same text is taken once, with
   * other text is a conflict), its lines numbered on from the previous chunk's. The last chunk
   * completes the upload and hands the import to the worker.
   */
  async addChunk(listId: string, importId: string, dto: ImportChunkDto) {
    const hash = createHash('sha256').update(dto.csv).digest('hex');
    const client = await this.runtime.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<ImportRow>(
        'select * from marketing.list_import where import_id = $1 and list_id = $2 for update',
        [importId, listId],
      );
      const job = rows[0];
      if (!job) throw importNotFound();
      if (dto.seq < job.chunks) {
        if (job.chunk_hashes[dto.seq] !== hash)
          throw conflict('LIST_IMPORT_CHUNK_MISMATCH', `chunk ${dto.seq} was taken with other text`);
        await client.query('commit');
        return { ...this.progress(job), unchanged: true };
      }
      if (job.state !== 'uploading')
        throw conflict('LIST_IMPORT_UPLOADED', 'the upload of this import is complete');
      if (dto.seq > job.chunks)
        throw conflict('LIST_IMPORT_CHUNK_OUT_OF_ORDER', `chunk ${job.chunks} is next`, {
          nextChunk: job.chunks,
        });
      const { rows: parsed, lines } = csvRows(dto.csv, job.lines + 1);
      if (job.total + parsed.length > IMPORT_MAX_ROWS)
        throw ruleBroken('LIST_IMPORT_TOO_LARGE', `an import takes at most ${IMPORT_MAX_ROWS} rows`, {
          maxRows: IMPORT_MAX_ROWS,
        });
      await client.query(
        `insert into marketing.list_import_row (import_id, line, value)
         select $1, * from unnest($2::int[], $3::text[])`,
        [importId, parsed.map((r) => r.line), parsed.map((r) => r.value)],
      );
      const { rows: updated } = await client.query<ImportRow>(
        `update marketing.list_import
            set chunks = chunks + 1, chunk_hashes = array_append(chunk_hashes, $2), lines = lines + $3,
                total = total + $4, state = case when $5 then 'processing' else state end,
                uploaded_at = case when $5 then now() end, updated_at = now()
          where import_id = $1 returning *`,
        [importId, hash, lines, parsed.length, dto.last === true],
      );
      await client.query('commit');
      if (dto.last) this.worker.nudge();
      return { ...this.progress(updated[0]), unchanged: false };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The import's progress and a page of its rejected rows (line, value, reason). */
  async getImport(
    listId: string,
    importId: string,
    { afterLine = 0, limit = 100 }: { afterLine?: number; limit?: number },
  ) {
    const rows = await this.runtime.db.query<ImportRow[]>(
      'select * from marketing.list_import where import_id = $1 and list_id = $2',
      [importId, listId],
    );
    if (rows.length === 0) throw importNotFound();
    const rejections = await this.runtime.db.query<{ line: number; value: string; reason: string }[]>(
      `select line, value, reason from marketing.list_import_rejection
        where import_id = $1 and line > $2 order by line limit $3`,
      [importId, afterLine, limit + 1],
    );
    const page = rejections.slice(0, limit);
    return {
      ...this.progress(rows[0]),
      rejections: page,
      ...(rejections.length > limit ? { next: page[page.length - 1].line } : {}),
    };
  }

  private progress(job: ImportRow) {
    return {
      importId: job.import_id,
      listId: job.list_id,
      state: job.state,
      nextChunk: job.chunks,
      total: job.total,
      done: job.done,
      added: job.added,
      rejected: job.rejected,
      createdAt: job.created_at.toISOString(),
      ...(job.uploaded_at ? { uploadedAt: job.uploaded_at.toISOString() } : {}),
      ...(job.completed_at ? { completedAt: job.completed_at.toISOString() } : {}),
    };
  }
}
