import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AnalyticsConsumption } from './consumption';

/**
 * The database part of the consumption at bootstrap (after the platform's migrations): generation
 * 1 if none, the tables, the views. Kafka is joined by `startAnalytics` once the HTTP port is open.
 * Its consumers stop before the platform closes the pools and the bus.
 */
@Injectable()
export class ConsumptionLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly consumption: AnalyticsConsumption) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumption.prepare();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.consumption.stop();
  }
}
