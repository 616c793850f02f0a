import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  check: () => Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const TIMEOUT_MS = 3_000;

async function run(check: ReadinessCheck): Promise<{ name: string; status: 'up' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { name: check.name, status: 'up' };
  } catch (error) {
    return {
      name: check.name,
      status: 'down',
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Kubernetes probes: live = the process answers; ready = every dependency answers too. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'up' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const results = await Promise.all(this.checks.map(run));
    const up = results.every((r) => r.status === 'up');
    response.status(up ? 200 : 503);
    return { status: up ? 'up' : 'down', checks: results };
  }
}
