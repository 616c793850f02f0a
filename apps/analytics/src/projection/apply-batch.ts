import type { ContractEventType } from '@crm/contracts';
import type {
  AnalyticsEvent,
  Derivation,
  ProjectionBatch,
  Projector,
  ProjectorHandlers,
  Sql,
} from './projector';
import { recordChanges, type Change, type VersionedTable } from './versioned';

type Handler = (events: AnalyticsEvent[], db: Sql, schema: string, batch: ProjectionBatch) => Promise<void>;

/** The batch's context for its handlers (see {@link ProjectionBatch}). */
class Batch implements ProjectionBatch {
  private readonly position = new Map<AnalyticsEvent, number>();
  /** Per erased customer, the position of their first erasure in the batch. */
  private readonly erasures = new Map<string, number>();
  private readonly changes = new Map<VersionedTable, Change[]>();
  private readonly touches = new Map<Derivation, Set<string>>();

  constructor(events: readonly AnalyticsEvent[]) {
    events.forEach((event, i) => {
      this.position.set(event, i);
      if (event.type === 'CustomerErased') {
        const { customerId } = (event as AnalyticsEvent<'CustomerErased'>).data;
        if (!this.erasures.has(customerId)) this.erasures.set(customerId, i);
      }
    });
  }

  erasedBefore(customerId: string, event: AnalyticsEvent): boolean {
    const erased = this.erasures.get(customerId);
    return erased !== undefined && erased < (this.position.get(event) ?? Infinity);
  }

  change(spec: VersionedTable, change: Change): void {
    const changes = this.changes.get(spec);
    if (changes) changes.push(change);
    else this.changes.set(spec, [change]);
  }

  touched(derivation: Derivation, key: string): void {
    const keys = this.touches.get(derivation);
    if (keys) keys.add(key);
    else this.touches.set(derivation, new Set([key]));
  }

  /** Derives the touched keys' rows again, one call per derivation (in the order first touched). */
  async derive(db: Sql, schema: string): Promise<void> {
    for (const [derivation, keys] of this.touches) await derivation.derive([...keys].sort(), db, schema);
    this.touches.clear();
  }

  /** Writes the recorded changes, one table at a time, and forgets them. */
  async flush(db: Sql, schema: string): Promise<void> {
    for (const [spec, changes] of this.changes) await recordChanges(db, schema, spec, changes);
    this.changes.clear();
  }
}

/**
 * Applies a batch of events (in topic order) to the projectors' tables in `schema`, set-based:
 * for each projector (in their order) and each type it handles (in the order it lists them), one
 * call with the batch's events of that type; then the versioned tables' changes, one statement per
 * table; then the erasures (`CustomerErased`: the projectors' handlers of it, and every projector's
 * `erase`), so that a personal value written earlier in the batch is masked, and one written later
 * is refused by the `erasedBefore` check of its handler; last the derivations of the keys touched
 * (over the tables as the batch leaves them).
 */
export async function applyBatch(
  projectors: readonly Projector[],
  events: readonly AnalyticsEvent[],
  db: Sql,
  schema: string,
): Promise<void> {
  if (events.length === 0) return;
  const byType = new Map<ContractEventType, AnalyticsEvent[]>();
  for (const event of events) {
    const group = byType.get(event.type);
    if (group) group.push(event);
    else byType.set(event.type, [event]);
  }
  const batch = new Batch(events);
  const handlersOf = (p: Projector) => Object.entries(p.handlers as ProjectorHandlers) as [string, Handler][];
  for (const projector of projectors)
    for (const [type, handler] of handlersOf(projector)) {
      const group = byType.get(type as ContractEventType);
      if (group && type !== 'CustomerErased') await handler(group, db, schema, batch);
    }
  await batch.flush(db, schema);
  const erasures = (byType.get('CustomerErased') ?? []) as AnalyticsEvent<'CustomerErased'>[];
  if (erasures.length > 0) {
    for (const projector of projectors) {
      const handler = (projector.handlers as ProjectorHandlers).CustomerErased as Handler | undefined;
      if (handler) await handler(erasures as AnalyticsEvent[], db, schema, batch);
    }
    for (const erasure of erasures)
      for (const projector of projectors) await projector.erase(erasure.data.customerId, db, schema);
    await batch.flush(db, schema);
  }
  await batch.derive(db, schema);
}
