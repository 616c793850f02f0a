import { loadConfig } from '@crm/service-kit';
import { LeadsConfig } from './leads.config';

describe('leads configuration', () => {
  it('reads owners, threshold and scoring overrides from environment strings', () => {
    const config = loadConfig(LeadsConfig, {
      LEAD_OWNERS: ' ana, ben ,,cleo',
      LEAD_QUALIFICATION_THRESHOLD: '55',
      LEAD_SCORING_RULES: JSON.stringify({ perEngagement: 5 }),
      KAFKA_BROKERS: 'k1:9092, k2:9092',
    });
    expect(config.owners).toEqual(['ana', 'ben', 'cleo']);
    expect(config.scoringRules).toMatchObject({
      qualificationThreshold: 55,
      perEngagement: 5,
      maxEngagementPoints: 30,
    });
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.PORT).toBe(3001);
  });

  it('refuses scoring rules that are not JSON', () => {
    expect(() => loadConfig(LeadsConfig, { LEAD_SCORING_RULES: '{nope' })).toThrow(/LEAD_SCORING_RULES/);
  });
});
