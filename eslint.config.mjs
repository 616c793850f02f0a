import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Pure domain code: deciders, events, state and the rules they use. Frameworks and infrastructure
 * (NestJS, TypeORM, kafkajs, pg, the platform libraries) live at the edges, never in these files.
 * A new service puts such files under these names or in a `domain/` folder.
 */
const DOMAIN_FILES = [
  'apps/*/src/**/*.{decider,events,state,rules,scoring,normalise,calendar,policy,sla}.ts',
  'apps/*/src/**/domain/**/*.ts',
  'apps/pipeline/src/opportunity/pipeline-stages.ts',
  'apps/pipeline/src/quote/quote-totals.ts',
  'libs/contracts/src/**/*.ts',
  'libs/decider/src/decider.ts',
];
const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'pg', '@eventstore/*'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.tools/**',
      '.nx/**',
      'infra/kafka/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Nx projects and their tags (package.json "nx"): an app never imports another app; libraries
      // import only libraries; domain libraries only domain libraries, and no framework.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            {
              sourceTag: 'layer:domain',
              onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure'],
              bannedExternalImports: FRAMEWORKS,
            },
            {
              sourceTag: 'layer:infrastructure',
              onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure'],
            },
          ],
        },
      ],
    },
  },
  {
    files: DOMAIN_FILES,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...FRAMEWORKS,
                '@crm/service-kit',
                '@crm/messaging',
                '@crm/event-store',
                '@crm/privacy',
              ],
              message:
                'domain code is pure: frameworks and infrastructure belong at the edges (controllers, services, projections)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
