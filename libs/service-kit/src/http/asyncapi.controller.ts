import { Controller, Get, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { asyncApiDocument, type AsyncApiDocument, type BoundedContext } from '@crm/contracts';
import { Roles } from '../auth/access';

/**
 * `GET /asyncapi.json`: the AsyncAPI 3.0 document of the events this service publishes, its own
 * topic and dead-letter topic at their addresses in this deployment (with `KAFKA_TOPIC_PREFIX`),
 * generated from the contracts it was built with.
 */
export function asyncApiController(options: {
  context: BoundedContext;
  config: { topic(context: BoundedContext): string };
}): Type<unknown> {
  const document = asyncApiDocument({
    contexts: [options.context],
    topic: (context) => options.config.topic(context),
  });

  // Integrators build their consumers from it.
  @Roles('integrator', 'admin')
  @ApiTags('contracts')
  @Controller()
  class AsyncApiController {
    @Get('asyncapi.json')
    @ApiOperation({
      operationId: 'asyncApi',
      summary: 'AsyncAPI 3.0 document of the events this service publishes on Kafka',
    })
    @ApiOkResponse({ description: 'The document: channels, messages with payload and header schemas' })
    asyncApi(): AsyncApiDocument {
      return document;
    }
  }
  return AsyncApiController;
}
