/**
 * A small cache of CLV model fits (./clv-predicted), least recently used first out.
 *
 * A fit costs seconds on a large population, while the population rarely changes between two
 * requests: histories are counted in whole days (./bg-nbd), so asking the same dashboard again the
 * same day, without a new order, gives the same fit inputs. The key is a SHA-256 digest of those
 * inputs — every distinct purchase history and repeat spend with its number of customers, numbers
 * written in their shortest exact (round-trip) decimal form — never the time of the request or the
 * asOf: a hit is, by construction, a fit of equal inputs, hence the same answer. A fit that throws
 * is not kept (the next request tries again).
 */
import { createHash } from 'node:crypto';
import { fitClvInputs, type ClvFit, type ClvFitInputs } from './clv-predicted';

/** The digest of a fit's inputs (module comment). */
export function clvFitKey({ histories, spends }: ClvFitInputs): string {
  const lines = [
    'bg-nbd x,tx,T,count',
    ...histories.map(({ x, tx, T, count }) => `${x},${tx},${T},${count}`),
    'gamma-gamma x,m,count',
    ...spends.map(({ x, meanAmount, count }) => `${x},${meanAmount},${count}`),
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export class ClvFitCache {
  private readonly fits = new Map<string, ClvFit>();

  constructor(
    private readonly capacity = 4,
    private readonly fitter: (inputs: ClvFitInputs) => ClvFit = fitClvInputs,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  /** The fit of `inputs`: a kept one if these inputs were fitted recently, else a new fit, kept. */
  fitOf(inputs: ClvFitInputs): ClvFit {
    const key = clvFitKey(inputs);
    const kept = this.fits.get(key);
    if (kept !== undefined) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.fits.delete(key);
      this.fits.set(key, kept);
      return kept;
    }
    const fitted = this.fitter(inputs);
    this.fits.set(key, fitted);
    if (this.fits.size > this.capacity) this.fits.delete(this.fits.keys().next().value!);
    return fitted;
  }
}
