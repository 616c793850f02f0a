import { DomainError } from '@crm/decider';
import type { QuoteLine, QuoteTotals } from '@crm/contracts';

/**
 * Quote arithmetic in integers, never in binary floats. Prices are read as the decimals they were
 * written as (kept to 6 places) and percentages to 4 places; each line's subtotal and discount are
 * rounded half up to the cent, and the quote's figures are sums of those cents:
 * 3 × 19.99 at 15% → subtotal 59.97, discount 8.9955 → 9.00, total 50.97.
 */
const PRICE_PLACES = 6;
const PERCENT_PLACES = 4;
/** Beyond this many cents a total is no longer exact as a JavaScript number. */
const MAX_CENTS = Number.MAX_SAFE_INTEGER;

function invalid(index: number, field: keyof QuoteLine, message: string): DomainError {
  return new DomainError('validation', 'INVALID_QUOTE_LINE', `quote line ${index}: ${message}`, {
    index,
    field,
  });
}

/** The exact decimal written as `value` (its shortest round-trip form), scaled by 10^places, rounded half up. */
function toScaled(value: number, places: number): bigint {
  const text = /e/i.test(String(value)) ? value.toFixed(places + 1) : String(value);
  const [whole, fraction = ''] = text.split('.');
  const digits = fraction.padEnd(places + 1, '0');
  const scaled = BigInt(whole + digits.slice(0, places));
  return digits[places] >= '5' ? scaled + 1n : scaled;
}

/** numerator / denominator for non-negative integers, rounded half up. */
const divideHalfUp = (numerator: bigint, denominator: bigint): bigint =>
  (2n * numerator + denominator) / (2n * denominator);

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function validate(line: QuoteLine, index: number): void {
  if (typeof line.product !== 'string' || line.product.trim() === '')
    throw invalid(index, 'product', 'a product is required');
  if (!isNumber(line.quantity) || !Number.isInteger(line.quantity) || line.quantity <= 0) {
    throw invalid(index, 'quantity', 'the quantity must be a whole number above 0');
  }
  if (!isNumber(line.unitPrice) || line.unitPrice < 0)
    throw invalid(index, 'unitPrice', 'the unit price must be 0 or more');
  if (line.unitPrice > MAX_CENTS / 100) throw invalid(index, 'unitPrice', 'the unit price is too large');
  if (!isNumber(line.discountPercent) || line.discountPercent < 0 || line.discountPercent > 100) {
    throw invalid(index, 'discountPercent', 'the discount must be a percentage from 0 to 100');
  }
}

const CENT_SCALE = 10n ** BigInt(PRICE_PLACES - 2);
const DISCOUNT_SCALE = CENT_SCALE * 100n * 10n ** BigInt(PERCENT_PLACES);

/** Totals of a quote's lines; throws `INVALID_QUOTE_LINE` (validation) naming the first bad line and field. */
export function computeTotals(lines: readonly QuoteLine[]): QuoteTotals {
  let subtotal = 0n;
  let discount = 0n;
  let maxDiscountPercent = 0;
  lines.forEach((line, index) => {
    validate(line, index);
    const gross = BigInt(line.quantity) * toScaled(line.unitPrice, PRICE_PLACES);
    const lineSubtotal = divideHalfUp(gross, CENT_SCALE);
    const lineDiscount = divideHalfUp(gross * toScaled(line.discountPercent, PERCENT_PLACES), DISCOUNT_SCALE);
    subtotal += lineSubtotal;
    if (subtotal > BigInt(MAX_CENTS)) throw invalid(index, 'quantity', 'the quote amount is too large');
    discount += lineDiscount;
    maxDiscountPercent = Math.max(maxDiscountPercent, line.discountPercent);
  });
  const total = subtotal - discount;
  return {
    subtotal: Number(subtotal) / 100,
    discount: Number(discount) / 100,
    total: Number(total) / 100,
    maxDiscountPercent,
  };
}
