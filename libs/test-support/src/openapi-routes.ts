import { bearer } from './tokens';

/** The parts of an OpenAPI 3 document (as @nestjs/swagger writes it) that a fuzz needs. */
export interface JsonSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  allOf?: JsonSchema[];
  maxLength?: number;
  pattern?: string;
}

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One operation of a service, with its schemas resolved. */
export interface Route {
  service: string;
  method: string;
  /** As in the document: `/accounts/{id}/contacts/{contactId}`. */
  path: string;
  pathParams: string[];
  /** Each path parameter's schema (a uuid when the document says nothing). */
  pathSchemas: Record<string, JsonSchema>;
  query: { name: string; schema: JsonSchema }[];
  /** The JSON body's schema, with every `$ref` and `allOf` resolved; undefined for body-less operations. */
  body?: JsonSchema;
  /** Everything but GET changes state: a command. */
  command: boolean;
  /**
   * A command that names what it sets in its path and has no 404 among its answers (e.g. `PUT
   * /support/queues/{queue}` configures any queue): an id never seen before there is no fault.
   */
  upsert: boolean;
  /** Needs no token (`security: []`), e.g. the health probes. */
  public: boolean;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function resolver(document: OpenApiDocument) {
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: JsonSchema, seen: string[] = []): JsonSchema => {
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (seen.includes(name)) return { type: 'object' };
      return resolve(schemas[name] ?? { type: 'object' }, [...seen, name]);
    }
    if (schema.allOf) {
      return schema.allOf.map((s) => resolve(s, seen)).reduce(merge, { type: 'object' });
    }
    return {
      ...schema,
      ...(schema.items ? { items: resolve(schema.items, seen) } : {}),
      ...(schema.properties
        ? {
            properties: Object.fromEntries(
              Object.entries(schema.properties).map(([key, value]) => [key, resolve(value, seen)]),
            ),
          }
        : {}),
    };
  };
  return resolve;
}

function merge(a: JsonSchema, b: JsonSchema): JsonSchema {
  return {
    ...a,
    ...b,
    properties: { ...a.properties, ...b.properties },
    required: [...(a.required ?? []), ...(b.required ?? [])],
  };
}

/** Every operation of the document. */
export function routesOf(service: string, document: OpenApiDocument): Route[] {
  const resolve = resolver(document);
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]): Route => {
        const parameters = operation.parameters ?? [];
        const body = operation.requestBody?.content?.['application/json']?.schema;
        return {
          service,
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          pathSchemas: Object.fromEntries(
            parameters
              .filter((p) => p.in === 'path')
              .map((p) => [p.name, resolve(p.schema ?? { type: 'string', format: 'uuid' })]),
          ),
          query: parameters
            .filter((p) => p.in === 'query')
            .map((p) => ({ name: p.name, schema: resolve(p.schema ?? { type: 'string' }) })),
          ...(body ? { body: resolve(body) } : {}),
          command: method !== 'get',
          upsert: method !== 'get' && !Object.hasOwn(operation.responses ?? {}, '404'),
          public: operation.security?.length === 0,
        };
      }),
  );
}

/** The operations of a running service, from its `/docs-json`. */
export async function fetchRoutes(service: string, baseUrl: string): Promise<Route[]> {
  const response = await fetch(`${baseUrl}/docs-json`, { headers: { authorization: await bearer() } });
  if (!response.ok) throw new Error(`${service} /docs-json answered ${response.status}`);
  return routesOf(service, (await response.json()) as OpenApiDocument);
}
