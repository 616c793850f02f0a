import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import type { CommandContext } from '@crm/contracts';
import {
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CustomerIdParams,
  IsNotBlank,
  Roles,
} from '@crm/service-kit';
import { CustomerErasureService, type ErasureResult } from './customer-erasure.service';

export class EraseCustomerDto {
  @ApiProperty({
    example: 'GDPR art. 17 request 2026-118',
    description: 'Why: the request reference. Stored and published: never personal data.',
    maxLength: 500,
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(500)
  reason!: string;
}

export class ErasureResultDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'date-time', description: 'When the customer was (first) erased' })
  erasedAt!: string;
  @ApiProperty({ description: 'True when the customer had already been erased: nothing new happened' })
  alreadyErased!: boolean;
}

/**
 * The customer's identity is born in this context (a capture gives it its id), so erasure is
 * requested here; every context hears of it on crm.leads.events.
 */
@ApiTags('privacy')
@Controller('customers')
export class CustomerController {
  constructor(private readonly erasure: CustomerErasureService) {}

  @Post(':customerId/erasure')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'eraseCustomer',
    summary:
      "Right to erasure (GDPR art. 17): destroy the customer's data key and publish CustomerErased; every service masks them",
  })
  @ApiOkResponse({ type: ErasureResultDto, description: 'Erased (or already erased: the same answer again)' })
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    404: 'No personal data is held about this customer in any service (CUSTOMER_NOT_FOUND)',
  })
  erase(
    @Param() { customerId }: CustomerIdParams,
    @Body() dto: EraseCustomerDto,
    @CommandCtx() context: CommandContext,
  ): Promise<ErasureResult> {
    return this.erasure.erase(customerId, dto.reason, context);
  }
}
