/**
 * Predicted customer lifetime value: BG/NBD for how many purchases (./bg-nbd) and Gamma-Gamma for
 * how much each is worth (./gamma-gamma), the combination of Fader, Hardie & Lee (2005) and
 * Fader & Hardie (2013), with a discounted-cash-flow sum over the horizon.
 *
 * For a customer with history (x, t_x, T) and repeat-purchase mean m, a horizon H (in the histories'
 * time unit) cut into n equal periods Δ = H / n, a discount rate d per period and a margin μ:
 *   CLV = μ · E[M | x, m] · Σᵢ₌₁..ₙ (E[Y(iΔ)] − E[Y((i − 1)Δ)]) / (1 + d)ⁱ
 * where E[Y(t)] is the conditional expected number of purchases in the next t and E[M | x, m] the
 * expected spend per purchase. With d = 0 the sum telescopes to E[Y(H)]. Rounded to cents.
 *
 * Why these models: CRM orders are non-contractual (a customer who stops buying does not say so),
 * which is what BG/NBD describes with two behaviours per customer (buying rate and dropout), and
 * Gamma-Gamma shrinks a customer's own mean spend towards the population mean by how many
 * purchases back it. Both need enough customers with repeat purchases to fit; the caller fits on
 * the whole population (`fitClvModel`) and should prefer the historic figures (./clv-historic)
 * while the population is small.
 */
import {
  conditionalExpectedPurchases,
  fitBgNbd,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParams,
  type CustomerPurchaseHistory,
} from './bg-nbd';
import { expectedMeanSpend, fitGammaGamma, type GammaGammaFit, type GammaGammaParams } from './gamma-gamma';
import { roundCents } from './stats';

export interface ClvModel {
  readonly bgNbd: BgNbdParams;
  readonly gammaGamma: GammaGammaParams;
}

export interface ClvOptions {
  /** Horizon in the histories' time unit (e.g. 52 weeks). */
  readonly horizon: number;
  /** Discounting periods the horizon is cut into (e.g. 12). */
  readonly periods: number;
  /** Discount rate per period (e.g. 0.01 a month); 0 for none. */
  readonly discountRatePerPeriod: number;
  /** Share of revenue that is margin, 0..1; 1 gives revenue value. */
  readonly margin: number;
}

export interface PredictedCustomerValue {
  readonly customerId: string;
  readonly probabilityAlive: number;
  readonly expectedPurchases: number;
  readonly expectedSpendPerPurchase: number;
  readonly predictedClv: number;
}

/** Both models fitted on the same customers (Gamma-Gamma on those with a repeat purchase). */
export function fitClvModel(histories: readonly CustomerPurchaseHistory[]): {
  readonly bgNbd: BgNbdFit;
  readonly gammaGamma: GammaGammaFit;
} {
  return {
    bgNbd: fitBgNbd(histories),
    gammaGamma: fitGammaGamma(histories.map((h) => ({ x: h.x, meanAmount: h.repeatMeanAmount ?? 0 }))),
  };
}

/** The predicted value of one customer (module comment). */
export function predictCustomerValue(
  model: ClvModel,
  history: CustomerPurchaseHistory,
  { horizon, periods, discountRatePerPeriod, margin }: ClvOptions,
): PredictedCustomerValue {
  if (!(horizon > 0) || !Number.isInteger(periods) || periods < 1)
    throw new RangeError('horizon must be positive and periods a whole number of at least 1');
  const spend = expectedMeanSpend(model.gammaGamma, {
    x: history.x,
    meanAmount: history.repeatMeanAmount ?? 0,
  });
  let discountedPurchases = 0;
  let previous = 0;
  for (let i = 1; i <= periods; i++) {
    const cumulative = conditionalExpectedPurchases(model.bgNbd, history, (horizon * i) / periods);
    discountedPurchases += (cumulative - previous) / Math.pow(1 + discountRatePerPeriod, i);
    previous = cumulative;
  }
  return {
    customerId: history.customerId,
    probabilityAlive: probabilityAlive(model.bgNbd, history),
    expectedPurchases: previous,
    expectedSpendPerPurchase: roundCents(spend),
    predictedClv: roundCents(margin * spend * discountedPurchases),
  };
}
