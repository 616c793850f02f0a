import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { OptionalField } from '@crm/service-kit';
import { CAMPAIGN_MESSAGE_ID } from './campaign-message';

const MESSAGE_ID = {
  description:
    'The SMTP Message-ID of the campaign message: `<campaignId.step.customerId@campaigns.crm.example>`',
  example:
    '<0b6f1c1e-3c1d-4c59-9a57-1f0e2f7b2c11.0.3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f@campaigns.crm.example>',
};
const IsCampaignMessageId = () =>
  applyDecorators(
    IsString(),
    MaxLength(200),
    Matches(CAMPAIGN_MESSAGE_ID, { message: 'messageId must be the Message-ID of a campaign message' }),
  );

/** The enhanced status's class (4 or 5) is the reply code's: `550` with `4.2.2` is a contradiction. */
const AgreesWithSmtpCode = () =>
  ValidateBy({
    name: 'agreesWithSmtpCode',
    validator: {
      validate: (value: unknown, args) => {
        const code = (args?.object as { smtpCode?: unknown }).smtpCode;
        return typeof value !== 'string' || typeof code !== 'number' || value[0] === String(code)[0];
      },
      defaultMessage: () => 'smtpStatus must be of the class of smtpCode (5.x.x with 5xx, 4.x.x with 4xx)',
    },
  });

export class BounceDto {
  @ApiProperty(MESSAGE_ID) @IsCampaignMessageId() messageId!: string;

  @ApiProperty({
    minimum: 400,
    maximum: 599,
    description: 'The SMTP reply code: 5xx a permanent failure (a hard bounce), 4xx a temporary one (soft)',
  })
  @IsInt()
  @Min(400)
  @Max(599)
  smtpCode!: number;

  @ApiPropertyOptional({
    description: 'The enhanced status code (RFC 3463), e.g. `5.1.1`; its class must agree with smtpCode',
    example: '5.1.1',
  })
  @OptionalField()
  @IsString()
  @Matches(/^[45]\.\d{1,3}\.\d{1,3}$/, { message: 'smtpStatus must be an enhanced status code like 5.1.1' })
  @AgreesWithSmtpCode()
  smtpStatus?: string;
}

/** ARF (RFC 5965) Feedback-Type values that are complaints (`not-spam` is none). */
export const COMPLAINT_FEEDBACK_TYPES = ['abuse', 'fraud', 'virus', 'other'] as const;

export class ComplaintDto {
  @ApiProperty(MESSAGE_ID) @IsCampaignMessageId() messageId!: string;

  @ApiPropertyOptional({
    enum: COMPLAINT_FEEDBACK_TYPES,
    default: 'abuse',
    description: 'The ARF report’s Feedback-Type',
  })
  @OptionalField()
  @IsIn(COMPLAINT_FEEDBACK_TYPES)
  feedbackType?: (typeof COMPLAINT_FEEDBACK_TYPES)[number];
}
