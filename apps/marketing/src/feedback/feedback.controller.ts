import { Body, Controller, Res } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CONSENT_PURPOSES, type CommandContext } from '@crm/contracts';
import { BODY_COMMAND_PROBLEMS, CommandCtx, CommandEndpoint, type Role } from '@crm/service-kit';
import { BounceDto, ComplaintDto } from './feedback.dto';
import { FeedbackService } from './feedback.service';

class FeedbackMessageDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() step!: number;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() messageId!: string;
}

export class BounceOutcomeDto extends FeedbackMessageDto {
  @ApiProperty({
    enum: ['bounced', 'unchanged', 'ignored'],
    description:
      'bounced: recorded and e-mail suppressed; unchanged: recorded before; ignored: a soft bounce (202)',
  })
  outcome!: string;
  @ApiProperty({ description: 'A permanent failure (5xx)' }) hard!: boolean;
}

export class ComplaintOutcomeDto extends FeedbackMessageDto {
  @ApiProperty({
    enum: CONSENT_PURPOSES,
    description: "The campaign's purpose, whose e-mail consent is withdrawn",
  })
  purpose!: string;
  @ApiProperty({ enum: ['recorded', 'unchanged'] }) outcome!: string;
  @ApiPropertyOptional({ description: 'The ledger entries recorded (ContactSuppressed, ConsentWithdrawn)' })
  recorded!: string[];
  @ApiProperty({ description: "The revision of the customer's consent ledger" }) revision!: number;
}

/** Mail systems (a bounce processor, a feedback loop) report as a service client, or an admin by hand. */
const MAIL_SYSTEMS: [Role, ...Role[]] = ['integrator', 'admin'];
const NOT_FOUND = 'No campaign message with this Message-ID was sent (CAMPAIGN_MESSAGE_NOT_FOUND)';

@ApiTags('feedback')
@Controller()
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @CommandEndpoint({
    path: 'feedback/bounces',
    roles: MAIL_SYSTEMS,
    operationId: 'reportBounce',
    summary:
      'A bounce of a campaign message: a permanent one (5xx) is recorded and suppresses e-mail; a temporary one (4xx) records nothing (202)',
    description: 'The hard bounce recorded (or recorded before)',
    type: BounceOutcomeDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  @ApiResponse({ status: 202, description: 'A soft bounce: nothing recorded', type: BounceOutcomeDto })
  async bounce(
    @Body() dto: BounceDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const outcome = await this.feedback.bounce(dto, context);
    if (!outcome.hard) res.status(202);
    return outcome;
  }

  @CommandEndpoint({
    path: 'feedback/complaints',
    roles: MAIL_SYSTEMS,
    operationId: 'reportComplaint',
    summary:
      "An abuse report (ARF) of a campaign message: e-mail suppressed (complaint) and the e-mail consent of the campaign's purpose withdrawn",
    description: 'Recorded (or unchanged: the ledger said so already)',
    type: ComplaintOutcomeDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  complaint(@Body() dto: ComplaintDto, @CommandCtx() context: CommandContext) {
    return this.feedback.complaint(dto, context);
  }
}
