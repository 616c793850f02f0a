import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { IsInstant } from '@crm/service-kit';
import { TIMELINE_CHANNELS, TIMELINE_CONTEXTS } from '../projection/timeline-entries';
import { decodeTimelineCursor } from './timeline-cursor';

export const MAX_TIMELINE_PAGE = 200;
export const DEFAULT_TIMELINE_PAGE = 50;

/** `asOf`: answer as the read model would have at this instant (default: now). */
export class AsOfQuery {
  @ApiPropertyOptional({
    description:
      'Answer as of this instant (ISO 8601: a day, or a day and time with a zone); an event exactly at asOf counts. Default: now',
    example: '2026-06-30T23:59:59Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

const IsTimelineCursor = () =>
  ValidateBy({
    name: 'isTimelineCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && decodeTimelineCursor(value) !== undefined,
      defaultMessage: () => 'before must be the `next` of a previous page',
    },
  });

/** Filters and paging of a customer's timeline (newest first). */
export class TimelineQuery extends AsOfQuery {
  @ApiPropertyOptional({ enum: TIMELINE_CONTEXTS, description: 'Only interactions of this context' })
  @IsOptional()
  @IsIn(TIMELINE_CONTEXTS)
  context?: (typeof TIMELINE_CONTEXTS)[number];

  @ApiPropertyOptional({ enum: TIMELINE_CHANNELS, description: 'Only interactions on this channel' })
  @IsOptional()
  @IsIn(TIMELINE_CHANNELS)
  channel?: (typeof TIMELINE_CHANNELS)[number];

  @ApiPropertyOptional({ description: '`next` of the previous page: the entries older than its last one' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  @IsTimelineCursor()
  before?: string;

  @ApiPropertyOptional({
    type: 'integer',
    default: DEFAULT_TIMELINE_PAGE,
    minimum: 1,
    maximum: MAX_TIMELINE_PAGE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TIMELINE_PAGE)
  limit?: number;
}

export class StageVisitView {
  @ApiProperty({ example: 'acquisition' }) stage!: string;
  @ApiProperty({ type: String, nullable: true }) previousStage!: string | null;
  @ApiProperty({ example: 'pipeline', description: 'The context that decided it' }) context!: string;
  @ApiProperty({ example: 'Opportunity' }) reasonType!: string;
  @ApiProperty() reasonId!: string;
  @ApiProperty({ format: 'date-time' }) validFrom!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the next stage was reached; null while it was current as of asOf',
  })
  validTo!: string | null;
}

export class CustomerProfileView {
  @ApiProperty({ type: String, nullable: true, description: 'Personal data: `[erased]` once erased' })
  name!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Personal data: `[erased]` once erased' })
  email!: string | null;
  @ApiProperty({ type: String, nullable: true }) company!: string | null;
  @ApiProperty() erased!: boolean;
  @ApiProperty({ type: String, nullable: true }) customerType!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Acquisition channel of the lead' })
  channel!: string | null;
  @ApiProperty({ type: String, nullable: true }) country!: string | null;
  @ApiProperty({ type: String, nullable: true }) owner!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-05' }) cohortMonth!: string | null;
}

export class ChurnReasonView {
  @ApiProperty({
    enum: ['overdue', 'open_complaints', 'breached_slas', 'detractor_nps', 'falling_frequency'],
  })
  signal!: string;
  @ApiProperty() points!: number;
  @ApiProperty() text!: string;
}

export class ChurnRiskView {
  @ApiProperty({ minimum: 0, maximum: 100 }) score!: number;
  @ApiProperty({ enum: ['low', 'medium', 'high'] }) level!: string;
  @ApiProperty({ type: [ChurnReasonView] }) reasons!: ChurnReasonView[];
}

export class RfmView {
  @ApiProperty() recencyDays!: number;
  @ApiProperty() frequency!: number;
  @ApiProperty() monetary!: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) r!: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) f!: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) m!: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) fm!: number;
  @ApiProperty({ example: 'Champions' }) segment!: string;
  @ApiProperty({ description: 'Customers with a won order as of asOf (the quintiles are among them)' })
  population!: number;
}

export class SurveyAnswerView {
  @ApiProperty() score!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
}

export class KeyFiguresView {
  @ApiProperty({ description: 'Sum of won opportunities (historic CLV)' }) wonRevenue!: number;
  @ApiProperty() orders!: number;
  @ApiProperty({ type: Number, nullable: true }) averageOrderValue!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstPurchaseAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastPurchaseAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) lifespanDays!: number | null;
  @ApiProperty({ type: [String] }) currencies!: string[];
  @ApiProperty({ description: 'Cases open as of asOf (neither solved nor closed)' }) openCases!: number;
  @ApiProperty({ description: 'Complaints among them' }) openComplaints!: number;
  @ApiProperty({ type: SurveyAnswerView, nullable: true }) lastCsat!: SurveyAnswerView | null;
  @ApiProperty({ type: SurveyAnswerView, nullable: true }) lastNps!: SurveyAnswerView | null;
  @ApiProperty({ type: RfmView, nullable: true, description: 'null without a won order' })
  rfm!: RfmView | null;
  @ApiProperty({ type: ChurnRiskView }) churnRisk!: ChurnRiskView;
}

export class Customer360View {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
  @ApiProperty({ type: CustomerProfileView }) profile!: CustomerProfileView;
  @ApiProperty({ type: StageVisitView, nullable: true }) currentStage!: StageVisitView | null;
  @ApiProperty({ type: [StageVisitView], description: 'Oldest first' }) stageHistory!: StageVisitView[];
  @ApiProperty({ type: KeyFiguresView }) figures!: KeyFiguresView;
}

export class TimelineEntryView {
  @ApiProperty() eventId!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ enum: TIMELINE_CONTEXTS }) context!: string;
  @ApiProperty({ enum: TIMELINE_CHANNELS }) channel!: string;
  @ApiProperty({ example: 'case_opened' }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Ids, kinds and figures; no personal data',
  })
  detail!: Record<string, unknown>;
}

export class TimelinePage {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
  @ApiProperty({ type: [TimelineEntryView], description: 'Newest first' }) items!: TimelineEntryView[];
  @ApiProperty() limit!: number;
  @ApiPropertyOptional({ description: 'Pass as `before` for the next (older) page; absent on the last page' })
  next?: string;
}
