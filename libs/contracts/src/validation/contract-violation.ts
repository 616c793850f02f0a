import type { TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { PERSONAL_DATA_KEYWORD } from './schema-kit';

/** One reason why data does not fit its contract: where (a JSON pointer) and what. */
export interface ContractViolation {
  path: string;
  message: string;
}

/** An event type or version without a contract, or data that does not fit it. */
export class ContractViolationError extends Error {
  constructor(
    message: string,
    readonly errors: ContractViolation[],
  ) {
    super(message);
    this.name = 'ContractViolationError';
  }
}

/** True for errors from `assertValidEvent` and `parseEvent`, also across module copies. */
export function isContractViolation(error: unknown): error is ContractViolationError {
  return (
    error instanceof ContractViolationError ||
    (error instanceof Error && error.name === 'ContractViolationError' && 'errors' in error)
  );
}

/** A violation whose one reason is the whole message (an unknown type or version). */
export function contractViolation(message: string): ContractViolationError {
  return new ContractViolationError(message, [{ path: '/', message }]);
}

// Validation never changes the data: no coercion, no defaults, nothing removed.
const ajv = addFormats(new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false }), [
  'uuid',
  'date-time',
]);
// The personal data marker is an annotation: it says where values are sealed, it checks nothing.
ajv.addKeyword({ keyword: PERSONAL_DATA_KEYWORD, schemaType: 'boolean' });
const compiled = new Map<TSchema, ValidateFunction>();

function violation(error: ErrorObject): ContractViolation {
  const missing = error.keyword === 'required' ? `/${String(error.params.missingProperty)}` : '';
  const path = `${error.instancePath}${missing}` || '/';
  const message = error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid');
  return { path, message };
}

/**
 * Checks `data` against `schema`; throws a {@link ContractViolationError} naming every problem,
 * its message starting with `what` (e.g. `LeadConverted v1`).
 */
export function assertFits(schema: TSchema, what: string, data: unknown): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return;
  const errors = (validate.errors ?? []).map(violation);
  throw new ContractViolationError(
    `${what} violates its contract: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}
