import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@crm/contracts';
import { eventMetadata } from '@crm/decider';
import type { EventStore } from '@crm/event-store';

/**
 * Round-robin assignment as a ticket dispenser: each assignment appends one event to a single
 * stream with "any revision", and the revision it lands at is its ticket. Tickets are unique and
 * gap-free under any concurrency, with one round trip and no retries; the turn survives restarts
 * and is shared by every replica. The ticket's owner is recorded in the lead's LeadAssigned event.
 */
export const OWNER_ROTATION_STREAM = 'leadOwnerRotation-default';

export function ownerForTicket(ticket: number, owners: readonly string[]): string {
  if (owners.length === 0) throw new Error('no owners to rotate through');
  return owners[ticket % owners.length];
}

export async function takeTicket(
  store: EventStore,
  lead: { leadId: string; customerId: string },
  context: CommandContext,
): Promise<number> {
  const { nextExpectedRevision } = await store.append(
    OWNER_ROTATION_STREAM,
    [
      {
        id: randomUUID(),
        type: 'AssignmentTicketTaken',
        data: { leadId: lead.leadId },
        metadata: eventMetadata(context, lead.customerId, 1),
      },
    ],
    'any',
  );
  return nextExpectedRevision;
}
