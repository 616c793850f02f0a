import { Controller, Get, HttpException, Inject, Logger, Param } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { PRIVACY_PUBLISHER, type EventData } from '@crm/contracts';
import { Roles } from '../auth/access';
import { isDependencyOutage } from '../http/dependency-outage';
import { PROBLEM_JSON, ProblemDetails, type ErrorResponse } from '../http/error-response';
import { ApiProblems, QUERY_PROBLEMS } from '../http/openapi';
import { PLATFORM_RUNTIME } from '../platform/tokens';
import type { PlatformRuntime } from '../platform/platform-runtime';
import { CustomerExportUnsupportedError, exportCustomer, type CustomerExport } from './customer-export';
import {
  CustomerDataExportError,
  CustomerDataExporters,
  type ExportedReadModel,
} from './customer-data-exporter';

export class CustomerIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId!: string;
}

class ExportedEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'LeadCaptured' }) type!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, nullable: true }) actor!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event data, personal values open (or `[erased]` after an erasure)',
  })
  data!: unknown;
}

class ExportedReadModelDto {
  @ApiProperty({ example: 'customer-360', description: 'The name of the part within the service' })
  part!: string;
  @ApiProperty({
    description:
      'What the part holds, where it comes from and, for profiling, the logic behind it (GDPR art. 15(1)(h))',
  })
  description!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'What the read model holds about the customer now, personal values open (or `[erased]` after an erasure); null when it holds nothing about them',
  })
  data!: unknown;
}

export class CustomerExportDto {
  @ApiProperty({ example: 'leads', description: 'The bounded context (service) this part comes from' })
  context!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty({
    type: [ExportedEventDto],
    description: 'Every event this service holds about the customer, oldest first',
  })
  events!: ExportedEventDto[];
  @ApiProperty({
    type: [ExportedReadModelDto],
    description:
      'What the read models of this service hold about the customer beyond its events (e.g. the profile and profiling of analytics), in the order the service registered them; empty for a service that registers none',
  })
  readModels!: ExportedReadModelDto[];
}

/** What one service holds about a customer: its events and its read-model parts. */
export type CustomerDataExport = CustomerExport & { readModels: ExportedReadModel[] };

/**
 * The data subject's rights, in every service: the export of what this service holds about one
 * customer, its events and the read-model parts it registered with `customerDataExporters`
 * (`scripts/platform.sh export-customer` joins every service's into one document), and
 * the destruction of the customer's data key when an erasure is published, whichever service
 * sees it first (the key vault is shared; erasing twice is harmless).
 */
@ApiTags('privacy')
@Controller('privacy')
export class PrivacyController {
  private readonly logger = new Logger('privacy');

  constructor(
    @Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime,
    private readonly exporters: CustomerDataExporters,
  ) {}

  @Get('customers/:customerId/export')
  @Roles('admin')
  @ApiOperation({
    operationId: 'exportCustomerData',
    summary: 'Data subject export: everything this service holds about one customer (GDPR art. 15 and 20)',
  })
  @ApiOkResponse({ type: CustomerExportDto })
  @ApiProblems({ ...QUERY_PROBLEMS })
  @ApiResponse({
    status: 501,
    description:
      'The event store of this service (EventStoreDB) cannot list events by customer (EXPORT_UNSUPPORTED)',
    content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetails) } } },
  })
  @ApiResponse({
    status: 500,
    description:
      'A read-model part could not be read (EXPORT_PART_FAILED, `details.part` names it): no partial export is given',
    content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetails) } } },
  })
  async export(@Param() { customerId }: CustomerIdParams): Promise<CustomerDataExport> {
    const { store, context } = this.runtime;
    const events = await exportCustomer(store, context, customerId).catch((error: unknown) => {
      if (!(error instanceof CustomerExportUnsupportedError)) throw error;
      const body: ErrorResponse = { statusCode: 501, code: 'EXPORT_UNSUPPORTED', message: error.message };
      throw new HttpException(body, 501);
    });
    const readModels = await this.exporters.collect(customerId).catch((error: unknown) => {
      // The database out of reach stays a 503 with Retry-After (the exception filter's): worth retrying.
      if (!(error instanceof CustomerDataExportError) || isDependencyOutage(error)) throw error;
      this.logger.error(error);
      const body: ErrorResponse = {
        statusCode: 500,
        code: 'EXPORT_PART_FAILED',
        message: `${error.message}; the export is not given without it`,
        details: { part: error.part },
      };
      throw new HttpException(body, 500);
    });
    return { ...events, readModels };
  }

  /** The customer's key goes, in this service's memory too, as soon as this service hears of it. */
  @EventPattern(`crm.${PRIVACY_PUBLISHER}.CustomerErased`, { consumer: 'key-erasure' })
  async erased(@Payload() erased: EventData<'CustomerErased'>): Promise<void> {
    await this.runtime.vault.erase(erased.customerId);
  }
}
