#!/usr/bin/env node
// Writes every per-service block of the deployment files from services.json, so that adding a
// service is its folder apps/<name> plus one entry in services.json:
//   - docker-compose.yml, between the "generated services" markers;
//   - k8s/base/<name>/ (from k8s/templates/service/), and the service lists of k8s/base and the overlays;
//   - tsconfig.build.json (every lib, every service, the benchmarks).
// `--check` writes nothing and fails (exit 1), naming each file that is not as generated.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');
const read = (path) => readFileSync(join(ROOT, path), 'utf8');
const { services } = JSON.parse(read('services.json'));

function validate() {
  const problems = [];
  const names = new Set();
  const ports = new Set();
  const schemas = new Set();
  for (const s of services) {
    if (!/^[a-z][a-z0-9-]*$/.test(s.name ?? '')) problems.push(`name "${s.name}": lower case, digits and -`);
    if (names.has(s.name)) problems.push(`${s.name}: listed twice`);
    if (!/^[a-z][a-z0-9_]*$/.test(s.schema ?? '') || schemas.has(s.schema))
      problems.push(`${s.name}: schema "${s.schema}" (its own database schema: lower case, digits and _)`);
    schemas.add(s.schema);
    if (!Number.isInteger(s.port) || s.port < 1024 || ports.has(s.port))
      problems.push(`${s.name}: port ${s.port}`);
    if (!existsSync(join(ROOT, 'apps', s.name, 'src', 'main.ts')))
      problems.push(`${s.name}: no apps/${s.name}/src/main.ts`);
    for (const c of s.consumes ?? [])
      if (!names.has(c)) problems.push(`${s.name} consumes ${c}, not listed before it`);
    names.add(s.name);
    ports.add(s.port);
  }
  if (problems.length > 0) throw new Error(`services.json:\n  ${problems.join('\n  ')}`);
}

const settingsOf = (s) => Object.entries(s.settings ?? {});

/** `text` with the lines between the two markers (kept) replaced by `lines`. */
function between(text, file, begin, end, lines) {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from)
    throw new Error(`${file}: markers "${begin.trim()}" / "${end.trim()}" not found`);
  const start = text.indexOf('\n', from) + 1;
  const stop = text.lastIndexOf('\n', to) + 1;
  return text.slice(0, start) + lines.map((l) => `${l}\n`).join('') + text.slice(stop);
}

/** The topic a service publishes on: named after its bounded context, which is its schema. */
const topicOf = (name) => `crm.${services.find((s) => s.name === name).schema}.events`;

function composeBlock(s) {
  const env = settingsOf(s).flatMap(([key, { default: value, doc }]) => [
    ...(doc ? [`      # ${doc}`] : []),
    `      ${key}: \${${key}:-${value}}`,
  ]);
  const consumes = (s.consumes ?? []).flatMap((c) => [
    `      # consumes ${topicOf(c)}, which ${c} creates at start-up (topic auto-creation is off)`,
    `      ${c}:`,
    '        condition: service_healthy',
  ]);
  return [
    `  # ${s.summary}`,
    `  ${s.name}:`,
    '    build:',
    '      context: .',
    '      dockerfile: Dockerfile',
    '      args:',
    `        SERVICE: ${s.name}`,
    `        PORT: ${s.port}`,
    `    image: crm/${s.name}:dev`,
    '    environment:',
    '      <<: *service-env',
    `      PORT: ${s.port}`,
    `      OTEL_SERVICE_NAME: ${s.name}`,
    ...env,
    '    ports:',
    `      - '${s.port}:${s.port}'`,
    ...(consumes.length > 0
      ? ['    depends_on:', '      <<: *service-depends-on', ...consumes]
      : ['    depends_on: *service-depends-on']),
    '    healthcheck:',
    "      # The slim image has no curl: Node's fetch.",
    '      test:',
    '        - CMD',
    '        - node',
    '        - -e',
    `        - "fetch('http://127.0.0.1:${s.port}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`,
    '      interval: 10s',
    '      timeout: 5s',
    '      retries: 6',
    '      start_period: 30s',
    '    stop_grace_period: 30s',
    '    restart: unless-stopped',
    '',
  ];
}

function k8sKustomization(s) {
  const literals = settingsOf(s).flatMap(([key, { default: value, doc }]) => [
    ...(doc ? [`      # ${doc}`] : []),
    `      - ${key}=${value}`,
  ]);
  return [
    `# The ${s.name} service: ${s.summary}.`,
    '# Generated from services.json by `npm run platform:generate` (templates: ../../templates/service); do not edit.',
    `# Its Secret (${s.name}-secrets) is provided by the overlay.`,
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    '',
    'resources:',
    '  - deployment.yaml',
    '  - service.yaml',
    '  - hpa.yaml',
    '  - pdb.yaml',
    '',
    'configMapGenerator:',
    `  - name: ${s.name}-config`,
    '    literals:',
    `      - PORT=${s.port}`,
    `      - OTEL_SERVICE_NAME=${s.name}`,
    ...literals,
    '',
  ].join('\n');
}

function tsconfigBuild() {
  const libs = readdirSync(join(ROOT, 'libs'))
    .filter((lib) => existsSync(join(ROOT, 'libs', lib, 'tsconfig.json')))
    .sort();
  const paths = [...libs.map((l) => `libs/${l}`), ...services.map((s) => `apps/${s.name}`), 'bench'];
  return `${JSON.stringify({ files: [], references: paths.map((path) => ({ path })) }, null, 2)}\n`;
}

const MARK = (what) => [
  `# <generated: ${what} (services.json, npm run platform:generate)>`,
  `# </generated: ${what}>`,
];

function outputs() {
  const files = new Map();
  const [cBegin, cEnd] = MARK('services');
  files.set(
    'docker-compose.yml',
    between(
      read('docker-compose.yml'),
      'docker-compose.yml',
      `  ${cBegin}`,
      `  ${cEnd}`,
      services.flatMap(composeBlock),
    ),
  );
  const templates = join(ROOT, 'k8s', 'templates', 'service');
  for (const s of services) {
    for (const file of readdirSync(templates).sort())
      files.set(
        `k8s/base/${s.name}/${file}`,
        readFileSync(join(templates, file), 'utf8')
          .replaceAll('__NAME__', s.name)
          .replaceAll('__PORT__', String(s.port)),
      );
    files.set(`k8s/base/${s.name}/kustomization.yaml`, k8sKustomization(s));
  }
  const [kBegin, kEnd] = MARK('services');
  files.set(
    'k8s/base/kustomization.yaml',
    between(
      read('k8s/base/kustomization.yaml'),
      'k8s/base/kustomization.yaml',
      `  ${kBegin}`,
      `  ${kEnd}`,
      services.map((s) => `  - ${s.name}`),
    ),
  );
  const [iBegin, iEnd] = MARK('images');
  const [sBegin, sEnd] = MARK('secrets');
  let prod = read('k8s/overlays/prod/kustomization.yaml');
  prod = between(
    prod,
    'k8s/overlays/prod/kustomization.yaml',
    `  ${iBegin}`,
    `  ${iEnd}`,
    services.flatMap((s) => [
      `  - name: ghcr.io/crm-platform/${s.name}`,
      '    newTag: 0.1.0 # better: pin the digest (digest: sha256:...)',
    ]),
  );
  files.set('k8s/overlays/prod/kustomization.yaml', prod);
  let dev = read('k8s/overlays/dev/kustomization.yaml');
  dev = between(
    dev,
    'k8s/overlays/dev/kustomization.yaml',
    `  ${iBegin}`,
    `  ${iEnd}`,
    services.flatMap((s) => [`  - name: ghcr.io/crm-platform/${s.name}`, '    newTag: dev']),
  );
  const devSecrets = / {6}- PRIVACY_KEKS=(.*)/.exec(dev)?.[1];
  if (!devSecrets) throw new Error('k8s/overlays/dev/kustomization.yaml: no PRIVACY_KEKS literal to copy');
  dev = between(
    dev,
    'k8s/overlays/dev/kustomization.yaml',
    `  ${sBegin}`,
    `  ${sEnd}`,
    services.flatMap((s) => [
      `  - name: ${s.name}-secrets`,
      '    literals:',
      '      - DATABASE_URL=postgres://postgres:postgres@postgres:5432/crm',
      `      - PRIVACY_KEKS=${devSecrets}`,
    ]),
  );
  files.set('k8s/overlays/dev/kustomization.yaml', dev);
  files.set('tsconfig.build.json', tsconfigBuild());
  return files;
}

validate();
const stale = [];
for (const [path, content] of outputs()) {
  const target = join(ROOT, path);
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current === content) continue;
  stale.push(path);
  if (!check) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
if (check && stale.length > 0) {
  console.error(
    `not as generated from services.json (run \`npm run platform:generate\` and commit):\n  ${stale.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  check
    ? 'deployment files match services.json'
    : stale.length > 0
      ? `wrote ${stale.join(', ')}`
      : 'nothing to write',
);
