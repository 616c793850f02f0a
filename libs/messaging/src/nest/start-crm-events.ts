import {
  Catch,
  type INestApplication,
  type INestMicroservice,
  type RpcExceptionFilter,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy, NestMicroservice } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { parseEvent, type CloudEvent } from '@crm/contracts';
import { CrmEventsTransport, type CrmEventsTransportOptions } from './crm-events.transport';

/**
 * The last exception filter of the CRM events transport: it hands what a handler threw, unchanged,
 * back to the exactly-once consumer. Nest's own last filter would replace it by "Internal server
 * error": the consumer could no longer tell a database outage (retried for as long as it lasts)
 * from a failure of the event (parked), nor keep the real error in the dead letter. Filters of
 * the handler or its controller still come first and may decide otherwise (an observable that
 * completes marks the event applied).
 */
@Catch()
export class EventHandlerErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Connects the transport to a Nest application (a hybrid one: HTTP and events) and initializes
 * the application (module init hooks: migrations, relay...); `start()` then starts the consumers:
 * a consumer never runs before the database it writes to is ready. Between the two the caller may
 * open the HTTP port, so that commands and probes answer while the consumers join their groups
 * (after a crash, Kafka holds a group's partitions until the dead member's session expires).
 *
 * The handlers are bound when the consumers start rather than when the transport is connected,
 * so that {@link EventHandlerErrorFilter} is among their filters; the module init hooks ran with
 * the application and are not run a second time for the microservice.
 */
export async function connectCrmEvents(
  app: INestApplication,
  transport: CrmEventsTransport,
): Promise<{ microservice: INestMicroservice; start: () => Promise<void> }> {
  const microservice = app.connectMicroservice<CustomStrategy>(
    { strategy: transport },
    { deferInitialization: true },
  );
  microservice.useGlobalFilters(new EventHandlerErrorFilter());
  (microservice as NestMicroservice).setIsInitHookCalled(true);
  await app.init();
  return {
    microservice,
    start: async () => {
      await app.startAllMicroservices();
    },
  };
}

/** {@link connectCrmEvents}, then the consumers started at once. */
export async function startCrmEvents(
  app: INestApplication,
  transport: CrmEventsTransport,
): Promise<INestMicroservice> {
  const { microservice, start } = await connectCrmEvents(app, transport);
  await start();
  return microservice;
}

/** Handlers bound by {@link bindCrmEventHandlers}. */
export interface BoundEventHandlers {
  /**
   * Reads the event through its contract as a consumer does (a `ContractViolationError` is thrown
   * where a consumer would park it) and hands it to `consumer`'s handler with `manager`, through
   * Nest; resolves when the handler completed, rejects with what it threw.
   */
  deliver(consumer: string, event: CloudEvent, manager: EntityManager): Promise<void>;
  close(): Promise<void>;
}

/**
 * The `@EventPattern` handlers of `module`'s controllers, bound as the transport binds them (same
 * routing, guards, interceptors, pipes and filters) but with no consumer, broker or database of
 * their own: for unit tests of projections and reactions.
 */
export async function bindCrmEventHandlers(module: Type<unknown>): Promise<BoundEventHandlers> {
  // Never listens: the options of its consumers are never read.
  const transport = new CrmEventsTransport({} as CrmEventsTransportOptions);
  const microservice = await NestFactory.createMicroservice<CustomStrategy>(module, {
    strategy: transport,
    logger: false,
    abortOnError: false,
  });
  microservice.useGlobalFilters(new EventHandlerErrorFilter());
  await microservice.init();
  return {
    deliver: async (consumer, event, manager) => {
      const parsed = parseEvent(event);
      const message = {
        topic: '',
        partition: 0,
        offset: '0',
        key: event.subject,
        headers: {},
        value: null,
        timestamp: '',
      };
      return transport.dispatch(consumer, event, manager, { message, parsed });
    },
    close: () => microservice.close(),
  };
}
