import { ERASED } from '@crm/contracts';
import type { AnalyticsEvent, Projector, Sql } from './projector';

/** What the helpers need of an event of any type. */
type Fact = Pick<AnalyticsEvent, 'id' | 'customerId'>;
import { monthOf, qualified, viewOf } from './sql';
import { recordChange, versionedTableDdl, type Changes, type VersionedTable } from './versioned';

/**
 * `customer_version`: the attributes dashboards filter by (customer type, acquisition channel,
 * country, owner, cohort month), versioned over time. `customer_profile`: the personal values
 * (name, e-mail, company), current only, masked on erasure.
 */
export const CUSTOMER_VERSION: VersionedTable = {
  table: 'customer_version',
  key: 'customer_id',
  keyType: 'uuid',
  columns: [
    { name: 'customer_type', type: 'text' },
    { name: 'channel', type: 'text' },
    { name: 'country', type: 'text' },
    { name: 'owner', type: 'text' },
    // The UTC month of the first interest stage reached: the customer's cohort.
    { name: 'cohort_month', type: 'text', keep: 'first' },
  ],
};

const PERSONAL = ['name', 'email', 'company'] as const;
type PersonalColumn = (typeof PERSONAL)[number];
type Personal = Partial<Record<PersonalColumn, string | undefined>>;

const version = (e: Fact, at: string, changes: Changes) => (db: Sql, schema: string) =>
  recordChange(db, schema, CUSTOMER_VERSION, e.customerId, at, e.id, changes);

/** Changes without the values an event does not give. */
const given = (changes: Record<string, string | null | undefined>): Changes =>
  Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Changes;

/**
 * The customer's current personal values: each column keeps the value of the latest event that
 * gave one (by the event's time, then its id: the same whichever arrives first). Nothing is
 * written once the customer was erased; a value already unreadable (`[erased]`) is not a value.
 */
async function profile(db: Sql, schema: string, e: Fact, at: string, values: Personal) {
  const entries = PERSONAL.map((c) => [c, values[c]] as const).filter(
    (entry): entry is readonly [PersonalColumn, string] => entry[1] !== undefined && entry[1] !== ERASED,
  );
  const table = qualified(schema, 'customer_profile');
  await db.query(`insert into ${table} (customer_id) values ($1) on conflict do nothing`, [e.customerId]);
  if (entries.length === 0) return;
  // `updated` holds, per column, "<ISO time>|<event id>" of the value kept (ISO times of one form sort as text).
  const stamp = `${new Date(at).toISOString()}|${e.id}`;
  const sets = entries.map(
    ([column], i) =>
      `${column} = case when coalesce(updated ->> '${column}', '') < $2 then $${i + 3} else ${column} end`,
  );
  const newer = entries.map(([column]) => `'${column}', greatest(updated ->> '${column}', $2)`);
  await db.query(
    `update ${table} set ${sets.join(', ')}, updated = updated || jsonb_build_object(${newer.join(', ')})
      where customer_id = $1 and not erased`,
    [e.customerId, stamp, ...entries.map(([, value]) => value)],
  );
}

export const customerProjector: Projector = {
  name: 'customer',
  tables: (schema) => [
    ...versionedTableDdl(schema, CUSTOMER_VERSION),
    `create table if not exists ${qualified(schema, 'customer_profile')} (
       customer_id uuid primary key,
       name text,
       email text,
       company text,
       erased boolean not null default false,
       erased_at timestamptz,
       updated jsonb not null default '{}')`,
  ],
  views: (schema) => [
    viewOf(schema, 'customer_version'),
    viewOf(schema, 'customer_profile', 'customer_id, name, email, company, erased, erased_at'),
  ],
  handlers: {
    LeadCaptured: async (e, db, schema) => {
      const d = e.data;
      await version(e, d.capturedAt, { customer_type: d.customerType, channel: d.channel })(db, schema);
      await profile(db, schema, e, d.capturedAt, {
        name: d.personName ?? d.companyName,
        email: d.email,
        company: d.companyName,
      });
    },
    LeadAssigned: (e, db, schema) => version(e, e.time, { owner: e.data.ownerId })(db, schema),
    LeadConverted: async (e, db, schema) => {
      const d = e.data;
      await version(e, d.convertedAt, {
        customer_type: d.customerType,
        channel: d.channel,
        owner: d.ownerId,
      })(db, schema);
      await profile(db, schema, e, d.convertedAt, {
        name: d.personName ?? d.companyName,
        email: d.email,
        company: d.companyName,
      });
    },
    AccountOpened: async (e, db, schema) => {
      const { profile: p, ownerId, openedAt } = e.data;
      await version(
        e,
        openedAt,
        given({
          customer_type: p.customerType,
          country: p.address?.country?.toUpperCase(),
          owner: ownerId,
        }),
      )(db, schema);
      await profile(db, schema, e, openedAt, {
        name: p.name,
        email: p.email,
        company: p.kind === 'company' ? p.name : undefined,
      });
    },
    AccountProfileUpdated: async (e, db, schema) => {
      const { changes: c, updatedAt } = e.data;
      const changes = given({
        customer_type: c.customerType,
        // A new address without a country: the country is no longer known.
        country: c.address ? (c.address.country?.toUpperCase() ?? null) : undefined,
      });
      if (Object.keys(changes).length > 0) await version(e, updatedAt, changes)(db, schema);
      await profile(db, schema, e, updatedAt, {
        name: c.name,
        email: c.email,
        // The company's name when the update says the account is a company.
        company: c.kind === 'company' ? c.name : undefined,
      });
    },
    CustomerLifecycleStageReached: async (e, db, schema) => {
      const d = e.data;
      if (d.stage === 'interest')
        await recordChange(db, schema, CUSTOMER_VERSION, d.customerId, d.reachedAt, e.id, {
          cohort_month: monthOf(d.reachedAt),
        });
    },
    // When (erase() masks; the runner calls it for every projector, and it is idempotent).
    CustomerErased: async (e, db, schema) => {
      const d = e.data;
      await customerProjector.erase(d.customerId, db, schema);
      await db.query(
        `insert into ${qualified(schema, 'customer_profile')} (customer_id, erased, erased_at) values ($1, true, $2)
         on conflict (customer_id) do update
           set erased = true, erased_at = least(customer_profile.erased_at, excluded.erased_at)`,
        [d.customerId, d.erasedAt],
      );
    },
  },
  async erase(customerId, db, schema) {
    const table = qualified(schema, 'customer_profile');
    await db.query(`insert into ${table} (customer_id, erased) values ($1, true) on conflict do nothing`, [
      customerId,
    ]);
    await db.query(
      `update ${table}
          set ${PERSONAL.map((c) => `${c} = case when ${c} is null then null else $2 end`).join(', ')}, erased = true
        where customer_id = $1`,
      [customerId, ERASED],
    );
  },
};
