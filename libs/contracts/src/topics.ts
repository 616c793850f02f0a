/** One topic per bounded context; every integrator subscribes by context. */
export const BOUNDED_CONTEXTS = ['leads', 'pipeline', 'service', 'marketing', 'analytics'] as const;
export type BoundedContext = (typeof BOUNDED_CONTEXTS)[number];

export function eventsTopic(context: BoundedContext): string {
  return `crm.${context}.events`;
}
