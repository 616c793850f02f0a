import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '@crm/service-kit';
import { DEFAULT_PIPELINE, parsePipeline, type PipelineStage } from './opportunity/pipeline-stages';

/** Every setting of the sales pipeline service, validated once at start-up. */
export class PipelineConfig extends ServiceConfig {
  override PORT = 3002;

  /** JSON array of stages ({name, probability, forecastCategory, closed?}); default in pipeline-stages.ts. */
  @IsOptional()
  @IsString()
  PIPELINE_STAGES?: string;

  /** Line discounts above this percentage need a manager's approval before the quote is sent. */
  @IsInt()
  @Min(0)
  @Max(100)
  QUOTE_DISCOUNT_APPROVAL_THRESHOLD: number = 15;

  /** Currency of opportunities opened from converted leads. */
  @Matches(/^[A-Z]{3}$/)
  DEFAULT_CURRENCY: string = 'EUR';

  private parsed?: PipelineStage[];

  get stages(): PipelineStage[] {
    this.parsed ??= this.PIPELINE_STAGES ? parsePipeline(this.PIPELINE_STAGES) : DEFAULT_PIPELINE;
    return this.parsed;
  }
}
