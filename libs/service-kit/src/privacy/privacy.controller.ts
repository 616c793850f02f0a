import { Controller, Get, HttpException, Inject, Param } from '@nestjs/common';
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
import { PROBLEM_JSON, ProblemDetails, type ErrorResponse } from '../http/error-response';
import { ApiProblems, QUERY_PROBLEMS } from '../http/openapi';
import { PLATFORM_RUNTIME } from '../platform/tokens';
import type { PlatformRuntime } from '../platform/platform-runtime';
import { CustomerExportUnsupportedError, exportCustomer, type CustomerExport } from './customer-export';

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
}

/**
 * The data subject's rights, in every service: the export of what this service holds about one
 * customer (`scripts/platform.sh export-customer` joins every service's into one document), and
 * the destruction of the customer's data key when an erasure is published, whichever service
 * sees it first (the key vault is shared; erasing twice is harmless).
 */
@ApiTags('privacy')
@Controller('privacy')
export class PrivacyController {
  constructor(@Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime) {}

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
  async export(@Param() { customerId }: CustomerIdParams): Promise<CustomerExport> {
    const { store, context } = this.runtime;
    return exportCustomer(store, context, customerId).catch((error: unknown) => {
      if (!(error instanceof CustomerExportUnsupportedError)) throw error;
      const body: ErrorResponse = { statusCode: 501, code: 'EXPORT_UNSUPPORTED', message: error.message };
      throw new HttpException(body, 501);
    });
  }

  /** The customer's key goes, in this service's memory too, as soon as this service hears of it. */
  @EventPattern(`crm.${PRIVACY_PUBLISHER}.CustomerErased`, { consumer: 'key-erasure' })
  async erased(@Payload() erased: EventData<'CustomerErased'>): Promise<void> {
    await this.runtime.vault.erase(erased.customerId);
  }
}
