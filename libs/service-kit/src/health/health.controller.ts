import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/access';

/** What a check may add to its result, e.g. which consumers fail and why. */
export type ReadinessDetail = Record<string, unknown>;

export interface ReadinessCheck {
  name: string;
  /**
   * Resolves when the dependency answers (optionally with details worth showing, e.g. warnings);
   * rejects (or times out) when it does not.
   */
  check: () => Promise<void | ReadinessDetail>;
}

/** A failed check with details beyond its message. */
export class ReadinessFailure extends Error {
  constructor(
    message: string,
    readonly detail: ReadinessDetail,
  ) {
    super(message);
    this.name = 'ReadinessFailure';
  }
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const TIMEOUT_MS = 3_000;

/**
 * A readiness check as a terminus indicator named after it: `up` with what the check adds (e.g.
 * `topicConfigWarnings`), or `down` with its reason as `message`, plus the detail of a
 * ReadinessFailure (e.g. `failing` consumers); down as well when it does not answer in time.
 */
function indicator(indicators: HealthIndicatorService, check: ReadinessCheck): HealthIndicatorFunction {
  return async (): Promise<HealthIndicatorResult> => {
    const session = indicators.check(check.name);
    let detail: ReadinessDetail = {};
    const result = await session
      .attempt(() =>
        check.check().catch((error: unknown) => {
          if (error instanceof ReadinessFailure) detail = error.detail;
          throw error;
        }),
      )
      .withTimeout(TIMEOUT_MS);
    const { status, ...data } = result[check.name];
    return status === 'down' ? session.down({ ...data, ...detail }) : result;
  };
}

/**
 * Kubernetes probes on terminus: live = the process answers; ready = every dependency answers
 * too. Both answer terminus's report, `{status, info, error, details}`: 200 with status `ok`, 503
 * with status `error` (`error` names each failing check with its `message`) or `shutting_down`.
 */
/** Open to anyone: Kubernetes probes carry no token. */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly readiness: HealthIndicatorFunction[];

  constructor(
    private readonly health: HealthCheckService,
    indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) checks: ReadinessCheck[],
  ) {
    this.readiness = checks.map((check) => indicator(indicators, check));
  }

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiResponse({ status: 200, description: 'The process answers' })
  @ApiResponse({ status: 503, description: 'The process is shutting down' })
  live(@Res({ passthrough: true }) response: Response) {
    return this.report([], response);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: every dependency answers' })
  @ApiResponse({ status: 200, description: 'Every check is up' })
  @ApiResponse({
    status: 503,
    description: 'A check is down (`error` says which and why), or the process is shutting down',
  })
  ready(@Res({ passthrough: true }) response: Response) {
    return this.report(this.readiness, response);
  }

  /** Terminus refuses with its report in a 503 exception: the report is the answer, not a problem. */
  private async report(checks: HealthIndicatorFunction[], response: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
