import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Response } from 'express';
import { etagFor } from '@crm/service-kit';
import type { CaseResult } from './case.service';
import { surveyToken } from './case.survey';

/** How long a survey link is valid. */
const SURVEY_VALID_MS = 30 * 24 * 3_600_000;

/** What every command on a case answers. */
export class CaseAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() status!: string;
  @ApiProperty() priority!: string;
  @ApiProperty() queue!: string;
  @ApiProperty() revision!: number;
  @ApiPropertyOptional({
    description: 'Solved: the signed, single-use satisfaction survey link to send the customer',
  })
  surveyLink?: string;
}

/** The answer of a command on a case: the case, its revision (also as ETag), the survey link once solved. */
export function caseAnswer(
  res: Response,
  { case: c, revision }: CaseResult,
  csatSecret: string,
): CaseAcceptedDto {
  res.setHeader('ETag', etagFor(revision));
  const solved = c.status === 'solved' && c.rating === undefined;
  const expires = new Date(Date.now() + SURVEY_VALID_MS);
  return {
    id: c.caseId,
    customerId: c.customerId,
    status: c.status,
    priority: c.priority,
    queue: c.queue,
    revision,
    ...(solved ? { surveyLink: `/satisfaction/${surveyToken(csatSecret, c.caseId, expires)}` } : {}),
  };
}
