#!/usr/bin/env node
// Proves the architecture rules of eslint.config.mjs are live (ESLint skips the Nx rule, with a
// mere warning, when no project graph is cached): files that break them must fail the lint.
// Run by `npm run lint` and CI after `nx show projects` has cached the graph.
import { ESLint } from 'eslint';

const cases = [
  {
    what: 'a domain file importing NestJS',
    filePath: 'apps/leads/src/lead/boundary-probe.decider.ts',
    code: "import { Injectable } from '@nestjs/common';\nexport const probe = Injectable;\n",
    rule: 'no-restricted-imports',
  },
  {
    what: 'a domain file importing TypeORM',
    filePath: 'apps/pipeline/src/quote/boundary-probe.events.ts',
    code: "import { DataSource } from 'typeorm';\nexport const probe = DataSource;\n",
    rule: 'no-restricted-imports',
  },
  {
    what: 'a domain file importing kafkajs',
    filePath: 'libs/contracts/src/boundary-probe.ts',
    code: "import { Kafka } from 'kafkajs';\nexport const probe = Kafka;\n",
    rule: '@nx/enforce-module-boundaries',
  },
  {
    what: 'an app importing another app',
    filePath: 'apps/pipeline/src/boundary-probe.ts',
    code: "import { LeadsModule } from '@crm/leads';\nexport const probe = LeadsModule;\n",
    rule: '@nx/enforce-module-boundaries',
  },
];

const eslint = new ESLint();
const missed = [];
for (const c of cases) {
  const [result] = await eslint.lintText(c.code, { filePath: c.filePath });
  const hit = result.messages.some((m) => m.ruleId === c.rule && m.severity === 2);
  if (!hit)
    missed.push(
      `${c.what} (${c.filePath}) passed the lint: ${JSON.stringify(result.messages.map((m) => m.message))}`,
    );
}
if (missed.length > 0) {
  console.error(`architecture rules are not enforced:\n  ${missed.join('\n  ')}`);
  process.exit(1);
}
console.log(`architecture rules enforced (${cases.length} probes refused)`);
