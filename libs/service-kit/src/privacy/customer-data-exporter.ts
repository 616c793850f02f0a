import type { Provider, Type } from '@nestjs/common';

/**
 * One part of the data subject export (GDPR art. 15 and 20) that a service holds outside its
 * event store: a read model about the customer (e.g. the profile and profiling analytics derives
 * from the events of every context). Register it in the service's module with
 * `...customerDataExporters(MyExporter)` among its providers; the privacy export then lists what
 * it answers under `readModels`, in registration order.
 */
export interface CustomerDataExporter {
  /** Stable name of the part within the service, e.g. `customer-360`. */
  readonly part: string;
  /**
   * For the data subject: what the part holds, where it comes from and, for profiling, the logic
   * behind it (GDPR art. 15(1)(h)).
   */
  readonly describe: string;
  /**
   * What the read model holds about the customer as it reads now (personal values open, or the
   * erased markers after an erasure); null when it holds nothing about them.
   */
  export(customerId: string): Promise<unknown>;
}

/** One read-model part of a service's export. */
export interface ExportedReadModel {
  part: string;
  description: string;
  data: unknown;
}

/**
 * A part could not be read: the export fails as a whole (an export must be complete, so no part
 * is silently left out). The cause is the exporter's error.
 */
export class CustomerDataExportError extends Error {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`the read-model part "${part}" of the export could not be read`, { cause });
    this.name = 'CustomerDataExportError';
  }
}

/** The exporters a service registered (one registry per PlatformModule.forRoot). */
export class CustomerDataExporters {
  private readonly exporters: CustomerDataExporter[] = [];

  /** Adds exporters after those already registered; a part name may be registered once. */
  add(...exporters: CustomerDataExporter[]): void {
    for (const exporter of exporters) {
      if (this.exporters.some((e) => e.part === exporter.part))
        throw new Error(`the customer data export part "${exporter.part}" is registered twice`);
      this.exporters.push(exporter);
    }
  }

  get parts(): string[] {
    return this.exporters.map((e) => e.part);
  }

  /**
   * Every part about `customerId`, in registration order. One after the other, so the first
   * failing part (in that order) is the one the error names, whatever the timing.
   */
  async collect(customerId: string): Promise<ExportedReadModel[]> {
    const parts: ExportedReadModel[] = [];
    for (const exporter of this.exporters) {
      const data = await exporter.export(customerId).catch((error: unknown) => {
        throw new CustomerDataExportError(exporter.part, error);
      });
      parts.push({ part: exporter.part, description: exporter.describe, data: data ?? null });
    }
    return parts;
  }
}

/**
 * The providers that add `exporters` to the service's export, in this order: the exporter
 * classes themselves (injectable: they get the service's providers) and one that registers their
 * instances when the module is instantiated. One line in a service's providers:
 * `...customerDataExporters(CustomerExporter)`.
 */
export function customerDataExporters(...exporters: Type<CustomerDataExporter>[]): Provider[] {
  return [
    ...exporters,
    {
      provide: Symbol(`customer data exporters: ${exporters.map((e) => e.name).join(', ')}`),
      inject: [CustomerDataExporters, ...exporters],
      useFactory: (registry: CustomerDataExporters, ...instances: CustomerDataExporter[]) => {
        registry.add(...instances);
        return registry.parts;
      },
    },
  ];
}
