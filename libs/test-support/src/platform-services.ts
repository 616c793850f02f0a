import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** A service of the platform as `services.json` lists it. */
export interface PlatformService {
  name: string;
  port: number;
  /** Its database schema; its PostgreSQL event store is `<schema>_eventstore`. */
  schema: string;
  consumes?: string[];
}

/**
 * The platform's services, in start order, from the one list (`services.json`): suites that
 * cover every service (OpenAPI lint, HTTP fuzz) take a new service from there, not from a copy.
 */
export function platformServices(): PlatformService[] {
  const { services } = JSON.parse(readFileSync(join(ROOT, 'services.json'), 'utf8')) as {
    services: PlatformService[];
  };
  return services;
}

/** The table of a service's PostgreSQL event store. */
export const eventsTableOf = (service: PlatformService) => `${service.schema}_eventstore.es_events`;
