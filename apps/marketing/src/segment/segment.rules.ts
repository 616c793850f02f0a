import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CUSTOMER_TYPES,
  LIFECYCLE_STAGES,
  SEGMENT_FIELDS,
  SEGMENT_OPERATORS,
  type ConsentChannel,
  type ConsentPurpose,
  type CustomerType,
  type LifecycleStage,
  type SegmentField,
  type SegmentOperator,
  type SegmentRule,
} from '@crm/contracts';

/**
 * Segment rules: a tree of `all` / `any` / `not` over tests of the customer profile, checked
 * before a segment is recorded (every problem with its JSON pointer, for a 400) and evaluated
 * purely over a profile at an instant.
 *
 * Tests: `{"field", "op", "value"}` (eq, neq, in, gt, gte, lt, lte, contains, as the field's kind
 * allows), `{"field", "withinLastDays"}` on a date field, `{"hasConsent": {"purpose", "channel"}}`.
 * A field the profile lacks matches no test but `neq` (which is `not eq`).
 */
export type { SegmentRule };

/** What a segment rule sees of a customer. */
export interface CustomerProfile {
  customerId: string;
  lifecycleStage?: LifecycleStage;
  customerType?: CustomerType;
  /** ISO 3166-1 alpha-2 (`ES`). */
  country?: string;
  interests?: string[];
  ownerId?: string;
  wonRevenue?: number;
  lastPurchaseAt?: string;
  openComplaints?: number;
  /** Latest satisfaction rating, 1 to 5. */
  csat?: number;
  /** The purposes and channels the consent ledger allows contact for now. */
  consents?: ReadonlyArray<{ purpose: ConsentPurpose; channel: ConsentChannel }>;
}

type Kind = 'enum' | 'text' | 'list' | 'number' | 'date';
interface FieldSpec {
  kind: Kind;
  /** Allowed values of an enum field. */
  values?: readonly string[];
  /** A pattern every text value (and `in` item) must match. */
  pattern?: RegExp;
}

export const FIELD_SPECS: Record<SegmentField, FieldSpec> = {
  lifecycleStage: { kind: 'enum', values: LIFECYCLE_STAGES },
  customerType: { kind: 'enum', values: CUSTOMER_TYPES },
  country: { kind: 'text', pattern: /^[A-Z]{2}$/ },
  interests: { kind: 'list' },
  ownerId: { kind: 'text' },
  wonRevenue: { kind: 'number' },
  lastPurchaseAt: { kind: 'date' },
  openComplaints: { kind: 'number' },
  csat: { kind: 'number' },
};

/** The operators each kind of field takes. */
export const OPERATORS_BY_KIND: Record<Kind, readonly SegmentOperator[]> = {
  enum: ['eq', 'neq', 'in'],
  text: ['eq', 'neq', 'in', 'contains'],
  list: ['contains', 'in'],
  number: ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte'],
  date: ['gt', 'gte', 'lt', 'lte'],
};

export interface RuleProblem {
  /** JSON pointer into the rule, e.g. `/all/1/any/0/field`. */
  path: string;
  message: string;
}

export const MAX_RULE_DEPTH = 10;
export const MAX_RULE_NODES = 200;
const MAX_DAYS = 36_500;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const pointer = (path: string, token: string | number) =>
  `${path}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (values: readonly string[]) => values.join(', ');

const KINDS_OF_NODE = ['all', 'any', 'not', 'hasConsent', 'withinLastDays', 'op'] as const;
const KEYS: Record<(typeof KINDS_OF_NODE)[number], string[]> = {
  all: ['all'],
  any: ['any'],
  not: ['not'],
  hasConsent: ['hasConsent'],
  withinLastDays: ['field', 'withinLastDays'],
  op: ['field', 'op', 'value'],
};
const SHAPES =
  'a rule is one of {"all": [rules]}, {"any": [rules]}, {"not": rule}, {"field", "op", "value"}, ' +
  '{"field", "withinLastDays"} or {"hasConsent": {"purpose", "channel"}}';

/** Every problem of a rule tree, each with its JSON pointer; none: the rule can be recorded. */
export function ruleProblems(rule: unknown): RuleProblem[] {
  const problems: RuleProblem[] = [];
  let nodes = 0;
  const problem = (path: string, message: string) => problems.push({ path, message });

  const visit = (node: unknown, path: string, depth: number): void => {
    nodes += 1;
    if (nodes === MAX_RULE_NODES + 1) problem(path || '/', `a rule has at most ${MAX_RULE_NODES} nodes`);
    if (nodes > MAX_RULE_NODES) return;
    if (depth > MAX_RULE_DEPTH) return void problem(path || '/', `rules nest at most ${MAX_RULE_DEPTH} deep`);
    if (!isObject(node)) return void problem(path || '/', `must be an object: ${SHAPES}`);
    const kinds = KINDS_OF_NODE.filter((k) => k in node);
    const kind = kinds[0] ?? ('field' in node ? 'op' : undefined);
    if (!kind) return void problem(path || '/', SHAPES);
    if (kinds.length > 1) return void problem(path || '/', `holds more than one rule: ${kinds.join(', ')}`);
    for (const key of Object.keys(node))
      if (!KEYS[kind].includes(key)) problem(pointer(path, key), `unknown property in this rule: ${SHAPES}`);
    switch (kind) {
      case 'all':
      case 'any': {
        const children = node[kind];
        if (!Array.isArray(children) || children.length === 0)
          return void problem(pointer(path, kind), 'must be a non-empty array of rules');
        children.forEach((child, i) => visit(child, pointer(pointer(path, kind), i), depth + 1));
        return;
      }
      case 'not':
        return visit(node.not, pointer(path, 'not'), depth + 1);
      case 'hasConsent':
        return consentProblems(node.hasConsent, pointer(path, 'hasConsent'), problem);
      case 'withinLastDays':
      case 'op':
        return testProblems(node, path, kind, problem);
    }
  };
  visit(rule, '', 0);
  return problems;
}

function consentProblems(value: unknown, path: string, problem: (path: string, message: string) => void) {
  if (!isObject(value)) return problem(path, 'must be {"purpose", "channel"}');
  if (!CONSENT_PURPOSES.includes(value.purpose as ConsentPurpose))
    problem(pointer(path, 'purpose'), `must be one of ${list(CONSENT_PURPOSES)}`);
  if (!CONSENT_CHANNELS.includes(value.channel as ConsentChannel))
    problem(pointer(path, 'channel'), `must be one of ${list(CONSENT_CHANNELS)}`);
  for (const key of Object.keys(value))
    if (key !== 'purpose' && key !== 'channel') problem(pointer(path, key), 'unknown property');
}

function testProblems(
  node: Record<string, unknown>,
  path: string,
  kind: 'op' | 'withinLastDays',
  problem: (path: string, message: string) => void,
) {
  const field = node.field;
  if (!SEGMENT_FIELDS.includes(field as SegmentField))
    return problem(
      pointer(path, 'field'),
      `unknown field ${JSON.stringify(field)}: one of ${list(SEGMENT_FIELDS)}`,
    );
  const spec = FIELD_SPECS[field as SegmentField];
  if (kind === 'withinLastDays') {
    if (spec.kind !== 'date')
      return problem(
        pointer(path, 'withinLastDays'),
        `${field} is not a date: withinLastDays needs a date field`,
      );
    const days = node.withinLastDays;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS)
      problem(pointer(path, 'withinLastDays'), `must be a whole number of days, 1 to ${MAX_DAYS}`);
    return;
  }
  const op = node.op as SegmentOperator;
  const allowed = OPERATORS_BY_KIND[spec.kind];
  if (!SEGMENT_OPERATORS.includes(op))
    return problem(
      pointer(path, 'op'),
      `unknown operator ${JSON.stringify(node.op)}: one of ${list(SEGMENT_OPERATORS)}`,
    );
  if (!allowed.includes(op))
    return problem(pointer(path, 'op'), `${field} (${spec.kind}) takes ${list(allowed)}, not ${op}`);
  if (!('value' in node)) return problem(pointer(path, 'value'), 'is required');
  const value = node.value;
  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0 || value.length > 100)
      return problem(pointer(path, 'value'), 'must be a non-empty array (at most 100 values)');
    value.forEach((item, i) => valueProblem(spec, item, pointer(pointer(path, 'value'), i), problem));
    return;
  }
  // contains on a list tests one element; on text, a substring.
  valueProblem(op === 'contains' ? { kind: 'text' } : spec, value, pointer(path, 'value'), problem);
}

function valueProblem(
  spec: FieldSpec,
  value: unknown,
  path: string,
  problem: (path: string, message: string) => void,
) {
  switch (spec.kind) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) problem(path, 'must be a number');
      return;
    case 'date':
      if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value)))
        problem(path, 'must be an ISO 8601 instant, e.g. 2026-01-31T00:00:00Z');
      return;
    case 'enum':
      if (!spec.values!.includes(value as string)) problem(path, `must be one of ${list(spec.values!)}`);
      return;
    case 'text':
    case 'list':
      if (typeof value !== 'string' || value.length === 0 || value.length > 200)
        problem(path, 'must be a non-empty string (at most 200 characters)');
      else if (spec.pattern && !spec.pattern.test(value)) problem(path, `must match ${spec.pattern.source}`);
      return;
  }
}

const DAY_MS = 86_400_000;
type Scalar = string | number;

function compare(field: SegmentField, op: SegmentOperator, actual: unknown, expected: unknown): boolean {
  if (op === 'neq') return !compare(field, 'eq', actual, expected);
  if (actual === undefined || actual === null) return false;
  const spec = FIELD_SPECS[field];
  if (spec.kind === 'list') {
    const items = (actual as string[]).map((s) => s.toLowerCase());
    const wanted = op === 'in' ? (expected as string[]) : [expected as string];
    return wanted.some((w) => items.includes(w.toLowerCase()));
  }
  if (op === 'contains') return String(actual).toLowerCase().includes(String(expected).toLowerCase());
  if (op === 'eq') return actual === expected;
  if (op === 'in') return (expected as Scalar[]).includes(actual as Scalar);
  const [a, b] =
    spec.kind === 'date'
      ? [Date.parse(actual as string), Date.parse(expected as string)]
      : [actual, expected];
  if (typeof a !== 'number' || typeof b !== 'number' || Number.isNaN(a)) return false;
  return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
}

/** Whether the profile matches a (valid) rule at `now`. */
export function matches(rule: SegmentRule, profile: CustomerProfile, now: string): boolean {
  if ('all' in rule) return rule.all.every((r) => matches(r, profile, now));
  if ('any' in rule) return rule.any.some((r) => matches(r, profile, now));
  if ('not' in rule) return !matches(rule.not, profile, now);
  if ('hasConsent' in rule) {
    const { purpose, channel } = rule.hasConsent;
    return (profile.consents ?? []).some((c) => c.purpose === purpose && c.channel === channel);
  }
  const actual = profile[rule.field];
  if ('withinLastDays' in rule) {
    if (typeof actual !== 'string') return false;
    const at = Date.parse(actual);
    const end = Date.parse(now);
    return at <= end && at >= end - rule.withinLastDays * DAY_MS;
  }
  return compare(rule.field, rule.op, actual, rule.value);
}
