import { ConfigError, loadConfig } from '@crm/service-kit';
import { PipelineConfig } from './pipeline.config';

describe('pipeline configuration', () => {
  it('reads numbers and JSON from environment strings', () => {
    const config = loadConfig(PipelineConfig, {
      PORT: '4002',
      QUOTE_DISCOUNT_APPROVAL_THRESHOLD: '25',
      PIPELINE_STAGES: JSON.stringify([
        { name: 'open', probability: 30, forecastCategory: 'pipeline' },
        { name: 'won', probability: 100, forecastCategory: 'closed', closed: 'won' },
        { name: 'lost', probability: 0, forecastCategory: 'omitted', closed: 'lost' },
      ]),
    });
    expect(config.PORT).toBe(4002);
    expect(config.QUOTE_DISCOUNT_APPROVAL_THRESHOLD).toBe(25);
    expect(config.stages.map((s) => s.name)).toEqual(['open', 'won', 'lost']);
  });

  it('uses its defaults when nothing is set', () => {
    const config = loadConfig(PipelineConfig, {});
    expect(config).toMatchObject({
      PORT: 3002,
      QUOTE_DISCOUNT_APPROVAL_THRESHOLD: 15,
      DEFAULT_CURRENCY: 'EUR',
      EVENT_STORE: 'postgres',
    });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig(PipelineConfig, {
        QUOTE_DISCOUNT_APPROVAL_THRESHOLD: '150',
        DEFAULT_CURRENCY: 'euro',
        EVENT_STORE: 'eventstoredb',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/QUOTE_DISCOUNT_APPROVAL_THRESHOLD/);
    expect(problems).toMatch(/DEFAULT_CURRENCY/);
    expect(problems).toMatch(/EVENTSTOREDB_URL/);
  });
});
