#!/usr/bin/env node
/**
 * The data subject export as one JSON document: what every service holds about one customer.
 *
 *   CRM_TOKEN=<admin bearer token> node libs/service-kit/dist/cli/customer-export.js \
 *     <customerId> leads=http://127.0.0.1:3001 pipeline=http://127.0.0.1:3002 > export.json
 *
 * `bash scripts/platform.sh export-customer <customerId>` passes every service of the platform.
 * Each service answers its part (`GET /privacy/customers/<id>/export`, admins only); a service
 * that does not answer fails the whole export (exit 1, naming it): an export must be complete.
 */

export interface JoinedExport {
  customerId: string;
  exportedAt: string;
  services: Record<string, unknown>;
}

export async function exportFromServices(
  customerId: string,
  services: Record<string, string>,
  token: string,
  now = new Date(),
): Promise<JoinedExport> {
  const parts = await Promise.all(
    Object.entries(services).map(async ([name, url]) => {
      const response = await fetch(
        `${url.replace(/\/$/, '')}/privacy/customers/${encodeURIComponent(customerId)}/export`,
        {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        },
      );
      const body = await response.text();
      if (!response.ok)
        throw new Error(`${name} (${url}) answered ${response.status}: ${body.slice(0, 500)}`);
      return [name, JSON.parse(body) as unknown] as const;
    }),
  );
  return { customerId, exportedAt: now.toISOString(), services: Object.fromEntries(parts) };
}

async function main(args: string[]): Promise<void> {
  const [customerId, ...pairs] = args;
  const token = process.env.CRM_TOKEN;
  if (!customerId || pairs.length === 0 || !token || pairs.some((p) => !/^[a-z0-9-]+=https?:\/\//.test(p))) {
    process.stderr.write('usage: CRM_TOKEN=<admin token> customer-export <customerId> <service>=<url>...\n');
    process.exit(2);
  }
  const services = Object.fromEntries(
    pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
  const joined = await exportFromServices(customerId, services, token);
  process.stdout.write(`${JSON.stringify(joined, null, 2)}\n`);
}

if (require.main === module)
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `customer export failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
