import { asyncApiDocument } from '../asyncapi/asyncapi-document';
import { publishedSchemas, type PublishedSchemas } from './published-schemas';
import { breakingChanges, type BreakingChange } from './schema-compatibility';

/** The files `npm run contracts:generate` writes, relative to `libs/contracts`. */
export const CONTRACT_FILES = {
  asyncApi: 'asyncapi.json',
  publishedSchemas: 'compat/published-schemas.json',
} as const;

/** The command that writes them again. */
export const REGENERATE_COMMAND = 'npm run contracts:generate';

/**
 * What the generator writes, given the published snapshot checked in now: the AsyncAPI document
 * and the new snapshot, or, when the contracts changed a published version in a way that breaks
 * its readers, nothing and those changes (publish a new version instead).
 */
export function contractFiles(
  snapshot: PublishedSchemas,
  current: PublishedSchemas = publishedSchemas(),
): { breaking: BreakingChange[] } | { breaking: []; files: Record<keyof typeof CONTRACT_FILES, unknown> } {
  const breaking = breakingChanges(snapshot, current);
  if (breaking.length > 0) return { breaking };
  return { breaking: [], files: { asyncApi: asyncApiDocument(), publishedSchemas: current } };
}
