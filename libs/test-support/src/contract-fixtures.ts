import type { SlaTargets } from '@crm/contracts';

/** The SLA a case opened in tests and benchmarks carries (`CaseOpened.sla`): the service desk's standard policy. */
export const STANDARD_SLA: SlaTargets = {
  policyId: 'standard',
  version: 1,
  firstResponseMinutes: 60,
  nextResponseMinutes: 240,
  resolutionMinutes: 960,
  warningShare: 0.75,
};
