import { ERASED } from '@crm/contracts';
import type { AnalyticsEvent, ProjectionBatch, Projector, Sql } from './projector';
import { insertRows, monthOf, qualified, recordset, viewOf } from './sql';
import { versionedTableDdl, type Changes, type VersionedTable } from './versioned';

/** What the helpers need of an event of any type. */
type Fact = Pick<AnalyticsEvent, 'id' | 'customerId'>;

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

/** Changes without the values an event does not give. */
const given = (changes: Record<string, string | null | undefined>): Changes =>
  Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Changes;

/** An event's change of `customer_version` (at the event's own time). */
const version = (batch: ProjectionBatch, e: Fact, at: string, changes: Changes) =>
  batch.change(CUSTOMER_VERSION, { key: e.customerId, at, eventId: e.id, changes });

/** A lead's personal values as its capture or conversion gives them (the person, else the company, named). */
const leadProfile = (
  e: Fact & { data: { personName?: string; companyName?: string; email?: string } },
  at: string,
): ProfileValues => ({
  event: e,
  at,
  values: { name: e.data.personName ?? e.data.companyName, email: e.data.email, company: e.data.companyName },
});

/** What an event says of the customer's personal values, at its time. */
interface ProfileValues {
  event: Fact;
  at: string;
  values: Personal;
}

/**
 * The customers' current personal values: each column keeps the value of the latest event that
 * gave one (by the event's time, then its id: the same whichever arrives first). Nothing is
 * written once the customer was erased (before, or earlier in the batch); a value already
 * unreadable (`[erased]`) is not a value. One statement makes the rows, one updates them with the
 * latest value per customer and column of the batch.
 */
async function profiles(db: Sql, schema: string, batch: ProjectionBatch, said: ProfileValues[]) {
  if (said.length === 0) return;
  const table = qualified(schema, 'customer_profile');
  const customers = [...new Set(said.map((g) => g.event.customerId))].map((customer_id) => ({ customer_id }));
  await insertRows(db, table, { customer_id: 'uuid' }, customers);
  // `updated` holds, per column, "<ISO time>|<event id>" of the value kept (ISO times of one form sort as text).
  const rows = said
    .filter((g) => !batch.erasedBefore(g.event.customerId, g.event as AnalyticsEvent))
    .map(({ event, at, values }) => ({
      customer_id: event.customerId,
      stamp: `${new Date(at).toISOString()}|${event.id}`,
      ...Object.fromEntries(PERSONAL.map((c) => [c, values[c] === ERASED ? undefined : values[c]])),
    }))
    .filter((row) => PERSONAL.some((c) => (row as Record<string, unknown>)[c] !== undefined));
  if (rows.length === 0) return;
  const latest = PERSONAL.map(
    (c) =>
      `(array_agg(${c} order by stamp desc) filter (where ${c} is not null))[1] as ${c},
       max(stamp) filter (where ${c} is not null) as ${c}_stamp`,
  );
  const sets = PERSONAL.map(
    (c) => `${c} = case when coalesce(p.updated ->> '${c}', '') < a.${c}_stamp then a.${c} else p.${c} end`,
  );
  const newer = PERSONAL.map((c) => `'${c}', greatest(p.updated ->> '${c}', a.${c}_stamp)`);
  await db.query(
    `update ${table} p set ${sets.join(', ')}, updated = p.updated || jsonb_strip_nulls(jsonb_build_object(${newer.join(', ')}))
       from (select customer_id, ${latest.join(', ')}
               from ${recordset({ customer_id: 'uuid', stamp: 'text', name: 'text', email: 'text', company: 'text' })}
              group by customer_id) a
      where p.customer_id = a.customer_id and not p.erased`,
    [JSON.stringify(rows)],
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
    LeadCaptured: (events, db, schema, batch) => {
      for (const e of events)
        version(batch, e, e.data.capturedAt, { customer_type: e.data.customerType, channel: e.data.channel });
      return profiles(
        db,
        schema,
        batch,
        events.map((e) => leadProfile(e, e.data.capturedAt)),
      );
    },
    LeadAssigned: async (events, _db, _schema, batch) => {
      for (const e of events) version(batch, e, e.time, { owner: e.data.ownerId });
    },
    LeadConverted: (events, db, schema, batch) => {
      for (const e of events)
        version(batch, e, e.data.convertedAt, {
          customer_type: e.data.customerType,
          channel: e.data.channel,
          owner: e.data.ownerId,
        });
      return profiles(
        db,
        schema,
        batch,
        events.map((e) => leadProfile(e, e.data.convertedAt)),
      );
    },
    AccountOpened: (events, db, schema, batch) => {
      for (const e of events) {
        const { profile: p, ownerId, openedAt } = e.data;
        version(
          batch,
          e,
          openedAt,
          given({
            customer_type: p.customerType,
            country: p.address?.country?.toUpperCase(),
            owner: ownerId,
          }),
        );
      }
      return profiles(
        db,
        schema,
        batch,
        events.map((e) => {
          const { profile: p, openedAt } = e.data;
          const values = { name: p.name, email: p.email, company: p.kind === 'company' ? p.name : undefined };
          return { event: e, at: openedAt, values };
        }),
      );
    },
    AccountProfileUpdated: (events, db, schema, batch) => {
      for (const e of events) {
        const { changes: c, updatedAt } = e.data;
        const changes = given({
          customer_type: c.customerType,
          // A new address without a country: the country is no longer known.
          country: c.address ? (c.address.country?.toUpperCase() ?? null) : undefined,
        });
        if (Object.keys(changes).length > 0) version(batch, e, updatedAt, changes);
      }
      return profiles(
        db,
        schema,
        batch,
        events.map((e) => {
          const { changes: c, updatedAt } = e.data;
          // The company's name when the update says the account is a company.
          const values = { name: c.name, email: c.email, company: c.kind === 'company' ? c.name : undefined };
          return { event: e, at: updatedAt, values };
        }),
      );
    },
    CustomerLifecycleStageReached: async (events, _db, _schema, batch) => {
      for (const e of events)
        if (e.data.stage === 'interest')
          batch.change(CUSTOMER_VERSION, {
            key: e.data.customerId,
            at: e.data.reachedAt,
            eventId: e.id,
            changes: { cohort_month: monthOf(e.data.reachedAt) },
          });
    },
    // When (erase() masks; the runner calls it for every projector, and it is idempotent).
    CustomerErased: async (events, db, schema) => {
      for (const e of events) await customerProjector.erase(e.data.customerId, db, schema);
      const firsts = new Map<string, string>();
      for (const { data: d } of events) {
        const known = firsts.get(d.customerId);
        if (known === undefined || Date.parse(d.erasedAt) < Date.parse(known))
          firsts.set(d.customerId, d.erasedAt);
      }
      await insertRows(
        db,
        qualified(schema, 'customer_profile'),
        { customer_id: 'uuid', erased: 'boolean', erased_at: 'timestamptz' },
        [...firsts].map(([customer_id, erased_at]) => ({ customer_id, erased: true, erased_at })),
        `on conflict (customer_id) do update
           set erased = true, erased_at = least(customer_profile.erased_at, excluded.erased_at)`,
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
