import { Pool } from 'pg';
import { ConcurrentSealError, sealEventStore, verifyEventStore } from '../audit/audit-store';
import { NotAuditableError, type AuditReport, type BrokenLink } from '../audit/verify-store';

/**
 * `npm run audit:verify [-- --schema <name>] [--seal] [--anchor <digest>]`: verifies the hash
 * chains of the PostgreSQL event stores at DATABASE_URL (every schema named `*_eventstore`, or the
 * one given), prints `intact: N events in M streams` or the first broken link of each store, and
 * exits 0 (intact), 1 (a broken link) or 2 (could not verify: arguments, connection, no chain).
 * `--seal` records a seal of each intact store; `--anchor` checks that the seal chain still holds
 * a digest recorded outside the database (with one `--schema`).
 */
export const USAGE = 'usage: audit:verify [--schema <name>] [--seal] [--anchor <seal digest, hex>]';

const INTACT = 0;
const BROKEN = 1;
const CANNOT_VERIFY = 2;

interface Options {
  schema?: string;
  seal: boolean;
  anchor?: string;
}

function parse(argv: readonly string[]): Options | string {
  const options: Options = { seal: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seal') options.seal = true;
    else if (arg === '--schema' || arg === '--anchor') {
      const value = argv[++i];
      if (value === undefined) return `${arg} needs a value`;
      if (arg === '--schema') options.schema = value;
      else options.anchor = value;
    } else return `unknown argument ${arg}`;
  }
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
    return `invalid schema name ${options.schema}`;
  if (options.anchor !== undefined && !/^[0-9a-fA-F]{64}$/.test(options.anchor))
    return 'the anchor is a seal digest: 64 hexadecimal digits';
  if (options.anchor !== undefined && options.schema === undefined)
    return '--anchor belongs to one store: give its --schema';
  return options;
}

/** Schemas holding an event store, by the naming convention `<context>_eventstore`. */
async function eventStoreSchemas(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ schema: string }>(
    `select n.nspname as schema from pg_namespace n
       join pg_class c on c.relnamespace = n.oid and c.relname = 'es_events' and c.relkind in ('r', 'p')
      where n.nspname like '%\\_eventstore' order by 1`,
  );
  return rows.map((r) => r.schema);
}

export function describeBrokenLink(link: BrokenLink): string {
  const where = [
    link.streamId !== undefined ? `stream ${link.streamId}` : undefined,
    link.revision !== undefined ? `revision ${link.revision}` : undefined,
    link.eventId !== undefined ? `event ${link.eventId}` : undefined,
    link.sealId !== undefined ? `seal ${link.sealId}` : undefined,
  ].filter(Boolean);
  const at = where.length > 0 ? ` at ${where.join(', ')}` : '';
  return `${link.schema}: BROKEN${at}: ${link.problem}: ${link.detail}`;
}

function describe(report: Extract<AuditReport, { intact: true }>, sealing: boolean): string[] {
  const lines = [`${report.schema}: intact: ${report.events} events in ${report.streams} streams`];
  if (sealing) return lines;
  if (report.lastSeal) {
    const { sealId, sealedAt, digest } = report.lastSeal;
    lines.push(
      `${report.schema}: ${report.seals} seals, the last: seal ${sealId} of ${sealedAt.toISOString()}, digest ${digest}`,
    );
  } else
    lines.push(
      `${report.schema}: never sealed (deleted last events and whole streams go unnoticed until sealed)`,
    );
  return lines;
}

/** Runs the command; answers the exit code. `print` gets every line of the report. */
export async function runAuditVerify(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    print(`${options}\n${USAGE}`);
    return CANNOT_VERIFY;
  }
  const pool = new Pool({
    connectionString: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm',
    max: 1,
    application_name: 'crm-audit-verify',
  });
  let broken = false;
  let unverified = false;
  try {
    const schemas = options.schema !== undefined ? [options.schema] : await eventStoreSchemas(pool);
    if (schemas.length === 0) {
      print('no event store found (no schema named *_eventstore with es_events): give --schema');
      return CANNOT_VERIFY;
    }
    let events = 0;
    let streams = 0;
    for (const schema of schemas) {
      try {
        const { report, seal } = options.seal
          ? await sealEventStore(pool, schema)
          : { report: await verifyEventStore(pool, schema, options), seal: undefined };
        if (!report.intact) {
          print(describeBrokenLink(report.broken));
          broken = true;
          continue;
        }
        for (const line of describe(report, options.seal)) print(line);
        events += report.events;
        streams += report.streams;
        if (seal)
          print(
            `${schema}: sealed: seal ${seal.sealId} over ${seal.events} events in ${seal.streams} streams (${seal.moved} heads moved), digest ${seal.digest}: keep it outside the database`,
          );
      } catch (error) {
        if (!(error instanceof NotAuditableError || error instanceof ConcurrentSealError)) throw error;
        print(error.message);
        unverified = true;
      }
    }
    // A broken link outweighs a store that could not be verified.
    if (broken) return BROKEN;
    if (unverified) return CANNOT_VERIFY;
    print(`intact: ${events} events in ${streams} streams`);
    return INTACT;
  } catch (error) {
    print(`cannot verify: ${error instanceof Error ? error.message : String(error)}`);
    return CANNOT_VERIFY;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  void runAuditVerify(process.argv.slice(2), process.env, (line) => console.log(line)).then((code) => {
    process.exitCode = code;
  });
}
