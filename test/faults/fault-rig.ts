import { randomBytes } from 'node:crypto';
import { PrivateKafka, PrivatePostgres, Reaper, ServiceProcess, freePort, waitFor } from '@crm/test-support';
import { CommandLoad } from './command-load';
import { audit, settle, type AuditTarget, type Figures } from './fault-audit';
import { ReadinessProbe } from './readiness-probe';

export type ServiceName = 'leads' | 'pipeline';

/**
 * The infrastructure the fault tests own and break: a private PostgreSQL cluster and a private
 * Kafka broker (never the shared ones). Everything it starts is stopped by destroy(), or by the
 * reaper should the test process die first.
 */
export class FaultRig {
  /** Marks the service processes of this run (in their environment), for the reaper. */
  private readonly marker = `CRM_FAULT_RUN=${randomBytes(6).toString('hex')}`;
  private readonly running = new Set<ServiceProcess>();

  private constructor(
    private readonly reaper: Reaper,
    readonly postgres: PrivatePostgres,
    readonly kafka: PrivateKafka,
  ) {}

  static async create(): Promise<FaultRig> {
    const reaper = new Reaper();
    const [postgres, kafka] = await Promise.allSettled([
      PrivatePostgres.create(reaper),
      PrivateKafka.create(reaper),
    ]);
    if (postgres.status === 'fulfilled' && kafka.status === 'fulfilled')
      return new FaultRig(reaper, postgres.value, kafka.value);
    if (postgres.status === 'fulfilled') await postgres.value.destroy();
    if (kafka.status === 'fulfilled') await kafka.value.destroy();
    reaper.stop();
    throw postgres.status === 'rejected' ? postgres.reason : (kafka as PromiseRejectedResult).reason;
  }

  /** A fresh database and topics, the two services on them, steady load and readiness probes. */
  async scenario(name: string): Promise<Scenario> {
    const databaseUrl = await this.postgres.createDatabase(`fault_${name.replace(/\W/g, '_')}`);
    const run = randomBytes(3).toString('hex');
    const topicPrefix = `fault-${name}-${run}.`;
    const env = {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: this.kafka.brokers.join(','),
      KAFKA_GROUP_PREFIX: `fault-${name}-${run}`,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      LEAD_OWNERS: 'rep-1,rep-2',
      EVENT_STORE: 'postgres',
      LOG_LEVEL: 'warn',
    };
    const scenario = new Scenario(this, env, {
      databaseUrl,
      brokers: this.kafka.brokers,
      leadsTopic: `${topicPrefix}crm.leads.events`,
      pipelineTopic: `${topicPrefix}crm.pipeline.events`,
    });
    await scenario.startServices(await freePort(), await freePort());
    return scenario;
  }

  async destroy(): Promise<void> {
    await Promise.allSettled([...this.running].map((s) => s.stop()));
    await Promise.allSettled([this.postgres.destroy(), this.kafka.destroy()]);
    this.reaper.stop();
  }

  /** Starts a service process of this run; the reaper kills it should the test die. */
  async startService(name: ServiceName, port: number, env: Record<string, string>): Promise<ServiceProcess> {
    const [markerName, markerValue] = this.marker.split('=');
    const service = new ServiceProcess(
      name,
      port,
      { ...env, [markerName]: markerValue },
      { onSpawn: (pid) => this.reaper.killProcess(pid, this.marker) },
    );
    this.running.add(service);
    await service.start();
    return service;
  }

  forget(service: ServiceProcess): void {
    this.running.delete(service);
  }
}

/** One scenario: its services (which it may kill and restart), the load on them, and the probes. */
export class Scenario {
  readonly services = {} as Record<ServiceName, ServiceProcess>;
  readonly load: CommandLoad;
  readonly readiness: ReadinessProbe;
  readonly target: AuditTarget;
  /** Output of service processes that were killed, for diagnostics. */
  readonly killedOutput: string[] = [];

  constructor(
    private readonly rig: FaultRig,
    private readonly env: Record<string, string>,
    where: Omit<AuditTarget, 'acks'>,
  ) {
    this.load = new CommandLoad(() => this.services.leads.url);
    this.readiness = new ReadinessProbe({
      leads: () => this.services.leads.url,
      pipeline: () => this.services.pipeline.url,
    });
    this.target = { ...where, acks: this.load.acks };
  }

  /** One after the other, as a deployment would: leads creates its topic before pipeline subscribes to it. */
  async startServices(leadsPort: number, pipelinePort: number): Promise<void> {
    await this.startService('leads', leadsPort);
    await this.startService('pipeline', pipelinePort);
  }

  /** Starts the load and the probes, and waits until some leads are converted end to end. */
  async warmUp(conversions = 3): Promise<void> {
    await this.load.start();
    this.readiness.start();
    await waitFor(`${conversions} conversions applied in pipeline`, async () => {
      if (this.load.acksOf('convert').length < conversions) return false;
      const figures = await audit(this.target, { kafka: false });
      return figures.lost.pipelineReadModel === 0 && figures.lost.pipelineReaction === 0;
    });
  }

  /** SIGKILL: no shutdown hooks, requests and batches in flight are cut off. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.services[name];
    process.kill(service.pid!, 'SIGKILL');
    const ended = await service.stop();
    if (!ended.includes('SIGKILL')) throw new Error(`${name} ended with ${ended}, not by SIGKILL`);
    this.rig.forget(service);
    this.killedOutput.push(...service.output.map((line) => `[${name}, killed] ${line}`));
  }

  /** Starts a service again on the same port and settings; resolves when it is ready. */
  async restart(name: ServiceName): Promise<void> {
    await this.startService(name, this.services[name].port);
  }

  /** Waits until both services answer /health/ready with 200; answers when that was. */
  async ready(timeoutMs = 60_000): Promise<number> {
    await waitFor(
      'both services ready',
      async () => {
        const answers = await Promise.all(
          Object.values(this.services).map((s) =>
            fetch(`${s.url}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status),
          ),
        );
        return answers.every((status) => status === 200);
      },
      timeoutMs,
      100,
    );
    return Date.now();
  }

  /** Waits until `n` more conversions are acknowledged (the load runs on). */
  async moreConversions(n = 2): Promise<void> {
    const before = this.load.acksOf('convert').length;
    await waitFor(
      `${n} more conversions acknowledged`,
      () => this.load.acksOf('convert').length >= before + n,
    );
  }

  /** Stops the load and the probes, then audits once the read models have caught up. */
  async finish(): Promise<Figures & { settleMs: number }> {
    await this.load.stop();
    await this.readiness.stop();
    return settle(this.target);
  }

  async stop(): Promise<void> {
    await this.load.stop();
    await this.readiness.stop();
    const ended = await Promise.all(Object.values(this.services).map((s) => s.stop()));
    for (const service of Object.values(this.services)) this.rig.forget(service);
    if (ended.some((e) => e !== 'graceful' && e !== 'not started'))
      throw new Error(`services ended: ${ended}`);
  }

  /** The last lines each service wrote (for a failure message). */
  tail(lines = 15): string {
    const own = Object.entries(this.services).flatMap(([name, s]) =>
      s.output.slice(-lines).map((line) => `[${name}] ${line}`),
    );
    return [...this.killedOutput.slice(-lines), ...own].join('\n');
  }

  private async startService(name: ServiceName, port: number): Promise<void> {
    this.services[name] = await this.rig.startService(name, port, this.env);
  }
}
