/** One `/health/ready` call: which service, when, and what it answered (or why nothing came). */
export interface Probe {
  service: string;
  startedAt: number;
  endedAt: number;
  status: string;
}

/**
 * Asks each service's `/health/ready` every `intervalMs`, as Kubernetes would, one call at a time
 * per service (a readiness check waits up to 3 s on a dependency that does not answer).
 */
export class ReadinessProbe {
  readonly probes: Probe[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly services: Record<string, () => string>,
    private readonly intervalMs = 250,
    private readonly timeoutMs = 10_000,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Object.entries(this.services).map(([service, url]) => this.loop(service, url));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Probes of `service` sent at or after `from` and answered by `to`. */
  between(service: string, from: number, to = Date.now()): Probe[] {
    return this.probes.filter((p) => p.service === service && p.startedAt >= from && p.endedAt <= to);
  }

  private async loop(service: string, url: () => string): Promise<void> {
    while (this.running) {
      const startedAt = Date.now();
      let status: string;
      try {
        const response = await fetch(`${url()}/health/ready`, {
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await response.arrayBuffer();
        status = String(response.status);
      } catch (error) {
        const e = error as { name?: string; cause?: { code?: string } };
        status = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'error');
      }
      this.probes.push({ service, startedAt, endedAt: Date.now(), status });
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
