import { Body, Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  ETAG_HEADER,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
  type Role,
} from '@crm/service-kit';
import {
  CreateListDto,
  ImportChunkDto,
  ListIdParams,
  ListImportParams,
  ListMembersDto,
  MembersPageDto,
  RejectionsPageDto,
} from './list.dto';
import { ListService } from './list.service';

export class ListAcceptedDto {
  @ApiProperty({ format: 'uuid' }) listId!: string;
  @ApiProperty({ description: 'Revision of the list (its ETag)' }) revision!: number;
}

export class ListChangedDto {
  @ApiProperty({ format: 'uuid' }) listId!: string;
  @ApiProperty({ description: 'Members now' }) members!: number;
  @ApiProperty() revision!: number;
}

export class ImportProgressDto {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({ enum: ['uploading', 'processing', 'completed'] }) state!: string;
  @ApiProperty({ description: 'The next chunk the upload takes' }) nextChunk!: number;
  @ApiProperty({ description: 'Rows uploaded' }) total!: number;
  @ApiProperty({ description: 'Rows processed' }) done!: number;
  @ApiProperty({ description: 'Customers added to the list' }) added!: number;
  @ApiProperty({ description: 'Rows rejected' }) rejected!: number;
}

const MARKETERS: [Role, ...Role[]] = ['marketer', 'admin'];
const READERS: [Role, ...Role[]] = ['marketer', 'analyst', 'admin'];
const NOT_FOUND = 'No list with this id (LIST_NOT_FOUND)';
const IMPORT_NOT_FOUND = 'No import with this id for this list (LIST_IMPORT_NOT_FOUND)';

/** Static lists: customers added and removed by hand or by a CSV import uploaded in chunks. */
@ApiTags('lists')
@Controller('lists')
export class ListController {
  constructor(private readonly lists: ListService) {}

  @CommandEndpoint({
    path: '',
    roles: MARKETERS,
    status: 201,
    operationId: 'createList',
    summary: 'Create a static list of customers',
    description: 'Created',
    type: ListAcceptedDto,
    location: true,
    problems: BODY_COMMAND_PROBLEMS,
  })
  async create(
    @Body() dto: CreateListDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.lists.create(dto, context);
    res.setHeader('Location', `/lists/${result.listId}`);
    res.setHeader('ETag', etagFor(result.revision));
    return result;
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getList', summary: 'A static list: its name and member count' })
  @ApiOkResponse({ description: 'The list', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(@Param() { id }: ListIdParams, @Res({ passthrough: true }) res: Response) {
    const list = await this.lists.get(id);
    res.setHeader('ETag', etagFor(list.revision));
    return list;
  }

  @Get(':id/members')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listStaticListMembers',
    summary: 'A page of the members of a static list, by customer id',
  })
  @ApiOkResponse({
    description: 'The members, and `next` (the `after` of the next page) when there are more',
  })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  members(@Param() { id }: ListIdParams, @Query() page: MembersPageDto) {
    return this.lists.members(id, page);
  }

  @CommandEndpoint({
    path: ':id/members',
    roles: MARKETERS,
    operationId: 'addStaticListMembers',
    summary: 'Add customers to a static list (those in it already are left as they are)',
    description: 'Added (or unchanged): `added`, how many were not members yet',
    type: ListChangedDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  add(@Param() { id }: ListIdParams, @Body() dto: ListMembersDto, @CommandCtx() context: CommandContext) {
    return this.lists.change(id, 'AddMembers', dto.customerIds, context);
  }

  @CommandEndpoint({
    path: ':id/members/remove',
    roles: MARKETERS,
    operationId: 'removeStaticListMembers',
    summary: 'Remove customers from a static list (those not in it are ignored)',
    description: 'Removed (or unchanged): `removed`, how many were members',
    type: ListChangedDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  remove(@Param() { id }: ListIdParams, @Body() dto: ListMembersDto, @CommandCtx() context: CommandContext) {
    return this.lists.change(id, 'RemoveMembers', dto.customerIds, context);
  }

  @CommandEndpoint({
    path: ':id/imports',
    roles: MARKETERS,
    status: 201,
    operationId: 'startListImport',
    summary: 'Start a CSV import into the list: then upload its chunks, the last one marked `last`',
    description: 'Started: the import id, chunk 0 next',
    type: ImportProgressDto,
    location: true,
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  async startImport(
    @Param() { id }: ListIdParams,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.lists.startImport(id, context);
    res.setHeader('Location', `/lists/${id}/imports/${result.importId}`);
    return result;
  }

  @CommandEndpoint({
    path: ':id/imports/:importId/chunks',
    roles: MARKETERS,
    operationId: 'uploadListImportChunk',
    summary: 'Upload the next chunk of whole CSV lines (in order; a chunk sent again is taken once)',
    description: 'Taken (or taken already): the progress and the next chunk',
    type: ImportProgressDto,
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: IMPORT_NOT_FOUND,
      409: 'LIST_IMPORT_CHUNK_OUT_OF_ORDER (details.nextChunk), LIST_IMPORT_CHUNK_MISMATCH, LIST_IMPORT_UPLOADED',
      422: 'LIST_IMPORT_TOO_LARGE: more than 100,000 rows',
    },
  })
  chunk(@Param() { id, importId }: ListImportParams, @Body() dto: ImportChunkDto) {
    return this.lists.addChunk(id, importId, dto);
  }

  @Get(':id/imports/:importId')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'getListImport',
    summary: 'An import’s progress (rows done / total / added / rejected) and a page of its rejected rows',
  })
  @ApiOkResponse({
    type: ImportProgressDto,
    description: 'The progress; `rejections` with line, value and reason',
  })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: IMPORT_NOT_FOUND })
  getImport(@Param() { id, importId }: ListImportParams, @Query() page: RejectionsPageDto) {
    return this.lists.getImport(id, importId, page);
  }
}
