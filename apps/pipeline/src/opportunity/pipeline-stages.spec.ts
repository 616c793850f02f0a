import { DEFAULT_PIPELINE, firstOpenStage, parsePipeline, type PipelineStage } from './pipeline-stages';

const won: PipelineStage = { name: 'won', probability: 100, forecastCategory: 'closed', closed: 'won' };
const lost: PipelineStage = { name: 'lost', probability: 0, forecastCategory: 'omitted', closed: 'lost' };
const discovery: PipelineStage = { name: 'discovery', probability: 15, forecastCategory: 'pipeline' };
const parse = (stages: unknown) => () => parsePipeline(JSON.stringify(stages));

describe('pipeline stages', () => {
  it('has the default sales pipeline, in order, with its probabilities and forecast categories', () => {
    expect(
      DEFAULT_PIPELINE.map((s) => [s.name, s.probability, s.forecastCategory, s.closed ?? null]),
    ).toEqual([
      ['prospecting', 10, 'pipeline', null],
      ['qualification', 20, 'pipeline', null],
      ['proposal', 50, 'best_case', null],
      ['negotiation', 75, 'commit', null],
      ['closed_won', 100, 'closed', 'won'],
      ['closed_lost', 0, 'omitted', 'lost'],
    ]);
  });

  it('accepts the default pipeline written as JSON', () =>
    expect(parsePipeline(JSON.stringify(DEFAULT_PIPELINE))).toEqual(DEFAULT_PIPELINE));

  it('reads a custom pipeline', () =>
    expect(parsePipeline(JSON.stringify([discovery, won, lost]))).toEqual([discovery, won, lost]));

  it('starts opportunities in the first open stage, wherever it is', () =>
    expect(firstOpenStage([won, lost, discovery]).name).toBe('discovery'));

  describe('refuses', () => {
    it('text that is not JSON', () => expect(() => parsePipeline('[{')).toThrow(/not valid JSON/));
    it('anything but a non-empty array', () => {
      expect(parse({ stages: [] })).toThrow(/non-empty array/);
      expect(parse([])).toThrow(/non-empty array/);
    });
    it('a stage without a name', () =>
      expect(parse([{ ...discovery, name: ' ' }, won, lost])).toThrow(/stage #0 needs a non-empty "name"/));
    it('duplicate stage names', () =>
      expect(parse([discovery, discovery, won, lost])).toThrow(/"discovery" appears more than once/));
    it('probabilities outside 0..100', () => {
      expect(parse([{ ...discovery, probability: 101 }, won, lost])).toThrow(
        /"discovery": "probability" must be a number from 0 to 100/,
      );
      expect(parse([{ ...discovery, probability: -1 }, won, lost])).toThrow(/probability/);
      expect(parse([{ ...discovery, probability: '15' }, won, lost])).toThrow(/probability/);
    });
    it('an unknown forecast category', () =>
      expect(parse([{ ...discovery, forecastCategory: 'maybe' }, won, lost])).toThrow(/forecastCategory/));
    it('an unknown closed outcome', () =>
      expect(parse([{ ...discovery, closed: 'done' }, won, lost])).toThrow(/"closed" must be/));
    it('a pipeline without a won stage', () =>
      expect(parse([discovery, lost])).toThrow(/exactly one closed "won" stage, found 0/));
    it('a pipeline with two lost stages', () =>
      expect(parse([discovery, won, lost, { ...lost, name: 'lost2' }])).toThrow(
        /exactly one closed "lost" stage, found 2/,
      ));
    it('a pipeline with no open stage', () => expect(parse([won, lost])).toThrow(/at least one open stage/));
  });
});
