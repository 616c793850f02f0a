import { DomainError } from '@crm/decider';
import type { QuoteLine } from '@crm/contracts';
import { computeTotals } from './quote-totals';

const line = (data: Partial<QuoteLine> = {}): QuoteLine => ({
  product: 'seat',
  quantity: 1,
  unitPrice: 10,
  discountPercent: 0,
  ...data,
});

function thrown(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected computeTotals to throw');
}

describe('quote totals', () => {
  it('is exact to the cent: 3 × 19.99 at 15% off', () =>
    expect(computeTotals([line({ quantity: 3, unitPrice: 19.99, discountPercent: 15 })])).toEqual({
      subtotal: 59.97,
      discount: 9,
      total: 50.97,
      maxDiscountPercent: 15,
    }));

  it('does not drift where binary floats do (0.1 + 0.2, 1.005)', () => {
    expect(computeTotals([line({ unitPrice: 0.1 }), line({ unitPrice: 0.2 })]).total).toBe(0.3);
    expect(computeTotals([line({ quantity: 1, unitPrice: 1.005 })]).subtotal).toBe(1.01);
  });

  it('rounds each line half up to the cent before adding lines', () => {
    // 1 × 0.05 at 10% = 0.005 → 0.01 per line; two lines → 0.02 (not round(0.01) = 0.01)
    expect(
      computeTotals([
        line({ unitPrice: 0.05, discountPercent: 10 }),
        line({ unitPrice: 0.05, discountPercent: 10 }),
      ]),
    ).toEqual({
      subtotal: 0.1,
      discount: 0.02,
      total: 0.08,
      maxDiscountPercent: 10,
    });
    // 1.15 at 50% = 0.575 exactly → 0.58 (binary floats see 0.57499… and round to 0.57)
    expect(computeTotals([line({ unitPrice: 1.15, discountPercent: 50 })])).toMatchObject({
      discount: 0.58,
      total: 0.57,
    });
    // 0.004 rounds down
    expect(computeTotals([line({ unitPrice: 0.04, discountPercent: 10 })]).discount).toBe(0);
  });

  it('keeps sub-cent unit prices exact across the quantity', () =>
    expect(computeTotals([line({ quantity: 1000, unitPrice: 0.0075 })]).total).toBe(7.5));

  it('handles fractional discount percentages exactly', () =>
    expect(computeTotals([line({ quantity: 8, unitPrice: 12.5, discountPercent: 12.5 })])).toMatchObject({
      subtotal: 100,
      discount: 12.5,
      total: 87.5,
    }));

  it('adds several lines and reports the largest discount', () =>
    expect(
      computeTotals([
        line({ quantity: 2, unitPrice: 100, discountPercent: 5 }),
        line({ quantity: 1, unitPrice: 49.99, discountPercent: 20 }),
      ]),
    ).toEqual({ subtotal: 249.99, discount: 20, total: 229.99, maxDiscountPercent: 20 }));

  it('gives everything away at 100%', () =>
    expect(computeTotals([line({ discountPercent: 100 })]).total).toBe(0));

  it('is all zeros without lines', () =>
    expect(computeTotals([])).toEqual({ subtotal: 0, discount: 0, total: 0, maxDiscountPercent: 0 }));

  describe('validation', () => {
    it.each([
      ['quantity', { quantity: 0 }],
      ['quantity', { quantity: -1 }],
      ['quantity', { quantity: 1.5 }],
      ['unitPrice', { unitPrice: -0.01 }],
      ['unitPrice', { unitPrice: Number.NaN }],
      ['unitPrice', { unitPrice: 1e20 }],
      ['discountPercent', { discountPercent: -1 }],
      ['discountPercent', { discountPercent: 100.01 }],
      ['product', { product: '' }],
    ] as const)('refuses a bad %s (%j) naming the line and field', (field, bad) => {
      const error = thrown(() => computeTotals([line(), line(bad as Partial<QuoteLine>)]));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        kind: 'validation',
        code: 'INVALID_QUOTE_LINE',
        details: { index: 1, field },
      });
    });

    it('accepts a free line (unit price 0)', () =>
      expect(computeTotals([line({ unitPrice: 0 })]).total).toBe(0));
  });
});
