/**
 * The CDNOW sample of Fader, Hardie & Lee (2005): 2,357 customers' repeat purchases x, recency t_x
 * and observation length T in weeks, and zbar, the mean value of their repeat purchases
 * (cdnow-summary.fixtures.csv, as distributed with the MIT-licensed `lifetimes` package).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CdnowCustomer {
  readonly x: number;
  readonly tx: number;
  readonly T: number;
  readonly zbar: number;
}

export function cdnowCustomers(): CdnowCustomer[] {
  const [, ...lines] = readFileSync(join(__dirname, 'cdnow-summary.fixtures.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [x, tx, T, zbar] = line.split(',').map(Number);
    return { x, tx, T, zbar };
  });
}
