/** The profile fields a campaign text may name: `{{name}}`, `{{email}}`. */
export const MERGE_FIELDS = ['name', 'email'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];
export type MergeProfile = Partial<Record<MergeField, string | null>>;

const FIELD = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The merge fields a template names that the profile does not have (to refuse a draft with them). */
export function unknownMergeFields(template: string): string[] {
  const unknown = new Set<string>();
  for (const [, field] of template.matchAll(FIELD))
    if (!(MERGE_FIELDS as readonly string[]).includes(field)) unknown.add(field);
  return [...unknown];
}

/**
 * The template with each `{{field}}` replaced by the profile's value (an empty string when the
 * profile has none); text outside the braces is left as it is. Pure: no escaping (plain text mail).
 */
export function mergeFields(template: string, profile: MergeProfile): string {
  return template.replace(FIELD, (whole, field: string) =>
    (MERGE_FIELDS as readonly string[]).includes(field) ? (profile[field as MergeField] ?? '') : whole,
  );
}
