import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { ASSIGNMENT_METHODS, type AssignmentMethod } from '@crm/contracts';
import { IsNotBlank, OptionalField } from '@crm/service-kit';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;
const NAME_RULE = { message: '$property must be 1-100 letters, digits or . _ : @ -' };

export class QueueParams {
  @ApiProperty({ example: 'returns', pattern: NAME.source }) @Matches(NAME, NAME_RULE) queue!: string;
}

export class AgentParams {
  @ApiProperty({ description: 'The agent’s owner id (their token’s owner claim)', pattern: NAME.source })
  @Matches(NAME, NAME_RULE)
  agentId!: string;
}

export class QueueDto {
  @ApiProperty({ enum: ASSIGNMENT_METHODS }) @IsIn(ASSIGNMENT_METHODS) assignment!: AssignmentMethod;
  @ApiPropertyOptional({ description: 'The skill an agent needs to take the queue’s cases' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  skill?: string;
}

export class AgentDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  @MaxLength(100, { each: true })
  skills!: string[];
  @ApiProperty({ description: 'Takes new cases now' }) @IsBoolean() available!: boolean;
}

export class AssignmentDto {
  @ApiPropertyOptional({
    description: 'The agent, by hand; absent: chosen by `method`',
    pattern: NAME.source,
  })
  @OptionalField()
  @Matches(NAME, NAME_RULE)
  agentId?: string;
  @ApiPropertyOptional({
    enum: ['round_robin', 'least_loaded'],
    description: 'Without agentId: how to choose',
  })
  @OptionalField()
  @IsIn(['round_robin', 'least_loaded'])
  method?: 'round_robin' | 'least_loaded';
}
