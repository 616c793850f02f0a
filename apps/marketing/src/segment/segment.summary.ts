import type { SegmentRule } from '@crm/contracts';

const SYMBOLS: Record<string, string> = {
  eq: '=',
  neq: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  in: 'in',
  contains: 'contains',
};
export const MAX_SUMMARY = 300;

const value = (v: unknown) =>
  Array.isArray(v) ? `(${v.map((x) => JSON.stringify(x)).join(', ')})` : JSON.stringify(v);

function phrase(rule: SegmentRule, nested: boolean): string {
  const group = (parts: string[], joint: string) => {
    const text = parts.join(` ${joint} `);
    return nested && parts.length > 1 ? `(${text})` : text;
  };
  if ('all' in rule)
    return group(
      rule.all.map((r) => phrase(r, true)),
      'and',
    );
  if ('any' in rule)
    return group(
      rule.any.map((r) => phrase(r, true)),
      'or',
    );
  if ('not' in rule) return `not ${phrase(rule.not, true)}`;
  if ('hasConsent' in rule) return `has consent ${rule.hasConsent.purpose} by ${rule.hasConsent.channel}`;
  if ('withinLastDays' in rule) return `${rule.field} within the last ${rule.withinLastDays} days`;
  return `${rule.field} ${SYMBOLS[rule.op] ?? rule.op} ${value(rule.value)}`;
}

/** The rule in one line for lists (`country = "ES" and (csat ≥ 4 or not has consent …)`), cut at 300 characters. */
export function summarize(rule: SegmentRule): string {
  const text = phrase(rule, false);
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
