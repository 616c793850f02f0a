/** Normalisation applied at capture, so that duplicates are found however the data was typed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Phone numbers to E.164-like form: separators dropped, `00` prefix turned into `+`. Numbers
 * without a country code are kept as digits (a default country is a later concern).
 */
export function normalisePhone(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/[^\d]/g, '');
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return digits;
}

export function normaliseName(name: string | undefined): string | undefined {
  const collapsed = name?.replace(/\s+/g, ' ').trim();
  return collapsed ? collapsed : undefined;
}
