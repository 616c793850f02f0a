#!/usr/bin/env node
// Validates rendered manifests against the Kubernetes API schemas (npm package kubernetes-models) and
// checks that they fit together (ConfigMap/Secret references, Service selectors, HPA/PDB targets) and that
// credentials live in Secrets only (none in a ConfigMap or a literal env value).
// Not a dependency of the repository: install the two packages anywhere and point at them:
//
//   npm i --prefix /tmp/k8s-validate kubernetes-models js-yaml
//   kubectl kustomize k8s/overlays/prod | K8S_VALIDATE_MODULES=/tmp/k8s-validate/node_modules \
//     K8S_EXTERNAL_SECRETS=leads-secrets,pipeline-secrets node k8s/validate.mjs
//
// Input: YAML files given as arguments, or stdin. K8S_EXTERNAL_SECRETS: comma-separated names of Secrets
// that are created outside the manifests (allowed to be referenced without being rendered).
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = resolve(process.env.K8S_VALIDATE_MODULES ?? 'node_modules');
for (const pkg of ['kubernetes-models', 'js-yaml']) {
  if (!existsSync(join(modules, pkg))) {
    console.error(`${pkg} not found in ${modules}; set K8S_VALIDATE_MODULES (see the header of this file)`);
    process.exit(2);
  }
}
async function importPackage(name) {
  const dir = join(modules, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const root = manifest.exports?.['.'];
  const entry =
    (typeof root === 'string' ? root : (root?.import ?? root?.default)) ?? manifest.module ?? manifest.main;
  const loaded = await import(pathToFileURL(join(dir, entry ?? 'index.js')).href);
  return loaded.default ?? loaded;
}
const yaml = await importPackage('js-yaml');

const files = process.argv.slice(2);
const text =
  files.length > 0 ? files.map((f) => readFileSync(f, 'utf8')).join('\n---\n') : readFileSync(0, 'utf8');
const docs = yaml.loadAll(text).filter((d) => d && typeof d === 'object');
const externalSecrets = new Set((process.env.K8S_EXTERNAL_SECRETS ?? '').split(',').filter(Boolean));

const problems = [];
const id = (d) => `${d.kind}/${d.metadata?.name}`;

// 1. Schema: construct the kubernetes-models class for apiVersion/kind and validate it.
for (const doc of docs) {
  const file = join(modules, 'kubernetes-models', doc.apiVersion ?? '', `${doc.kind}.js`);
  if (!existsSync(file)) {
    problems.push(`${id(doc)}: no schema for ${doc.apiVersion} ${doc.kind}`);
    continue;
  }
  const Model = (await import(pathToFileURL(file).href))[doc.kind];
  try {
    new Model(doc).validate();
  } catch (error) {
    const details = error.errors
      ? error.errors.map((e) => `\n    ${e.instancePath || '/'} ${e.message}`).join('')
      : '';
    problems.push(`${id(doc)}: ${error.message}${details}`);
  }
}

// 2. Cross-references within the rendered set.
const named = (kind) => new Set(docs.filter((d) => d.kind === kind).map((d) => d.metadata.name));
const configMaps = named('ConfigMap');
const secrets = new Set([...named('Secret'), ...externalSecrets]);
const workloads = docs.filter((d) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(d.kind));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

for (const w of workloads) {
  const pod = w.spec.template.spec;
  const containers = [...(pod.initContainers ?? []), ...pod.containers];
  const refs = [
    ...containers.flatMap((c) =>
      (c.envFrom ?? []).map((e) => e.configMapRef ?? (e.secretRef && { ...e.secretRef, secret: true })),
    ),
    ...containers.flatMap((c) =>
      (c.env ?? []).map(
        (e) =>
          e.valueFrom?.configMapKeyRef ??
          (e.valueFrom?.secretKeyRef && { ...e.valueFrom.secretKeyRef, secret: true }),
      ),
    ),
    ...(pod.volumes ?? []).map(
      (v) => v.configMap ?? (v.secret && { name: v.secret.secretName, secret: true }),
    ),
  ].filter((r) => r && !r.optional);
  for (const ref of refs) {
    const pool = ref.secret ? secrets : configMaps;
    if (!pool.has(ref.name))
      problems.push(`${id(w)}: references missing ${ref.secret ? 'Secret' : 'ConfigMap'} ${ref.name}`);
  }
  if (!matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels)) {
    problems.push(`${id(w)}: selector does not match its pod template labels`);
  }
  const ports = new Set(containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
  for (const c of containers) {
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
      if (typeof port === 'string' && !ports.has(port))
        problems.push(`${id(w)}: probe uses unknown port ${port}`);
    }
  }
}
for (const svc of docs.filter((d) => d.kind === 'Service' && d.spec?.selector)) {
  const targets = workloads.filter(
    (w) =>
      w.metadata.namespace === svc.metadata.namespace &&
      matches(svc.spec.selector, w.spec.template.metadata.labels),
  );
  if (targets.length === 0) problems.push(`${id(svc)}: selector matches no workload`);
  for (const port of svc.spec.ports ?? []) {
    const names = targets.flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)),
    );
    if (typeof port.targetPort === 'string' && !names.includes(port.targetPort)) {
      problems.push(`${id(svc)}: targetPort ${port.targetPort} is no named container port`);
    }
  }
}
for (const d of docs.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
  const t = d.spec.scaleTargetRef;
  if (!docs.some((w) => w.kind === t.kind && w.metadata.name === t.name))
    problems.push(`${id(d)}: target ${t.kind}/${t.name} missing`);
}
for (const d of docs.filter((x) => x.kind === 'PodDisruptionBudget')) {
  if (!workloads.some((w) => matches(d.spec.selector.matchLabels, w.spec.template.metadata.labels))) {
    problems.push(`${id(d)}: selector matches no workload`);
  }
}

// 3. Credentials only in Secrets: no ConfigMap entry and no literal container env value that holds one
//    (a credential-like name such as *_PASSWORD, or a URL with a password in it).
const CREDENTIAL_NAME = /PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|SASL_USERNAME/i;
const URL_WITH_PASSWORD = /:\/\/[^/\s:@]+:[^/\s@]+@/;
const credential = (name, value) => CREDENTIAL_NAME.test(name) || URL_WITH_PASSWORD.test(String(value ?? ''));
for (const cm of docs.filter((d) => d.kind === 'ConfigMap')) {
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    if (credential(key, value)) problems.push(`${id(cm)}: ${key} holds a credential; put it in a Secret`);
  }
}
for (const w of workloads) {
  const pod = w.spec.template.spec;
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    for (const e of c.env ?? []) {
      if (e.value !== undefined && credential(e.name, e.value)) {
        problems.push(`${id(w)}: env ${e.name} of ${c.name} holds a credential; use a secretKeyRef`);
      }
    }
  }
}

for (const doc of docs)
  console.log(
    `${problems.some((p) => p.startsWith(`${id(doc)}:`)) ? 'FAIL' : 'ok  '} ${doc.apiVersion} ${id(doc)}`,
  );
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`\n${docs.length} objects valid`);
