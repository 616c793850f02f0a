// One jest run, three kinds of test. Unit tests need no infrastructure at all; integration and
// end-to-end tests talk to the real PostgreSQL and Kafka that scripts/platform.sh starts.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  // @nestjs/terminus and jose ship ES modules only; jest runs CommonJS, so swc compiles them too.
  transform: { '^.+\\.ts$': swc, '/node_modules/(@nestjs/terminus|jose)/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs/terminus|jose)/)'],
  moduleNameMapper: {
    '^@crm/([^/]+)$': '<rootDir>/libs/$1/src',
    '^@crm/([^/]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  // Global (jest ignores it per project): integration and e2e tests wait on real infrastructure.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,apps}/*/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,apps}/*/test/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/*/e2e/**/*.e2e-spec.ts'],
    },
    {
      ...common,
      // Kafka broker, services and PostgreSQL killed under load; each run owns its PostgreSQL
      // cluster and broker (test/faults/README.md).
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
    },
  ],
};
