import { FORECAST_CATEGORIES, type ForecastCategory } from '@crm/contracts';

/**
 * One stage of a configurable sales pipeline. Open stages are reached by moving an opportunity;
 * the two closed stages (one `won`, one `lost`) only by winning or losing it.
 */
export interface PipelineStage {
  name: string;
  /** Default win probability in percent, 0 to 100. */
  probability: number;
  forecastCategory: ForecastCategory;
  closed?: 'won' | 'lost';
}

export const DEFAULT_PIPELINE: PipelineStage[] = [
  { name: 'prospecting', probability: 10, forecastCategory: 'pipeline' },
  { name: 'qualification', probability: 20, forecastCategory: 'pipeline' },
  { name: 'proposal', probability: 50, forecastCategory: 'best_case' },
  { name: 'negotiation', probability: 75, forecastCategory: 'commit' },
  { name: 'closed_won', probability: 100, forecastCategory: 'closed', closed: 'won' },
  { name: 'closed_lost', probability: 0, forecastCategory: 'omitted', closed: 'lost' },
];

export const findStage = (stages: readonly PipelineStage[], name: string): PipelineStage | undefined =>
  stages.find((stage) => stage.name === name);

/** The stage a new opportunity starts in when none is given. */
export function firstOpenStage(stages: readonly PipelineStage[]): PipelineStage {
  const stage = stages.find((s) => !s.closed);
  if (!stage) throw new Error('the pipeline has no open stage');
  return stage;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseStage(raw: unknown, index: number): PipelineStage {
  const where = `pipeline stage #${index}`;
  if (!isRecord(raw)) throw new Error(`${where} must be an object`);
  const { name, probability, forecastCategory, closed } = raw;
  if (typeof name !== 'string' || name.trim() === '') throw new Error(`${where} needs a non-empty "name"`);
  if (
    typeof probability !== 'number' ||
    !Number.isFinite(probability) ||
    probability < 0 ||
    probability > 100
  ) {
    throw new Error(`pipeline stage "${name}": "probability" must be a number from 0 to 100`);
  }
  if (!FORECAST_CATEGORIES.includes(forecastCategory as ForecastCategory)) {
    throw new Error(
      `pipeline stage "${name}": "forecastCategory" must be one of ${FORECAST_CATEGORIES.join(', ')}`,
    );
  }
  if (closed !== undefined && closed !== 'won' && closed !== 'lost') {
    throw new Error(`pipeline stage "${name}": "closed" must be "won", "lost" or absent`);
  }
  return {
    name,
    probability,
    forecastCategory: forecastCategory as ForecastCategory,
    ...(closed ? { closed } : {}),
  };
}

/**
 * Reads a pipeline configuration (a JSON array of stages, in pipeline order) and checks it:
 * unique names, probabilities 0..100, exactly one `won` and one `lost` closed stage and at least
 * one open stage. Throws a plain Error naming what is wrong (configuration, not a domain rule).
 */
export function parsePipeline(json: string): PipelineStage[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`pipeline configuration is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0)
    throw new Error('pipeline configuration must be a non-empty array of stages');
  const stages = raw.map(parseStage);
  const seen = new Set<string>();
  for (const { name } of stages) {
    if (seen.has(name))
      throw new Error(`pipeline stage names must be unique: "${name}" appears more than once`);
    seen.add(name);
  }
  for (const outcome of ['won', 'lost'] as const) {
    const count = stages.filter((s) => s.closed === outcome).length;
    if (count !== 1)
      throw new Error(`the pipeline needs exactly one closed "${outcome}" stage, found ${count}`);
  }
  if (!stages.some((s) => !s.closed)) throw new Error('the pipeline needs at least one open stage');
  return stages;
}
