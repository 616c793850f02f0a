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
  dropoutOdds,
  expectedPurchasesIfAlive,
  fitBgNbdWeighted,
  probabilityAlive,
  weighHistories,
  type BgNbdFit,
  type BgNbdParams,
  type CustomerPurchaseHistory,
  type WeightedHistory,
} from './bg-nbd';
import {
  expectedMeanSpend,
  fitGammaGammaWeighted,
  weighSpends,
  type GammaGammaFit,
  type GammaGammaParams,
  type WeightedSpend,
} from './gamma-gamma';
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

export interface ClvFit {
  readonly bgNbd: BgNbdFit;
  readonly gammaGamma: GammaGammaFit;
}

/**
 * Everything a fit depends on: the distinct purchase histories and the distinct repeat spends, each
 * with its number of customers, in canonical order. Two populations with equal inputs have the
 * same fit, whoever the customers are.
 */
export interface ClvFitInputs {
  readonly histories: readonly WeightedHistory[];
  readonly spends: readonly WeightedSpend[];
}

export function clvFitInputs(histories: readonly CustomerPurchaseHistory[]): ClvFitInputs {
  return {
    histories: weighHistories(histories),
    spends: weighSpends(histories.map((h) => ({ x: h.x, meanAmount: h.repeatMeanAmount ?? 0 }))),
  };
}

/** Both models fitted on the same customers (Gamma-Gamma on those with a repeat purchase). */
export function fitClvModel(histories: readonly CustomerPurchaseHistory[]): ClvFit {
  return fitClvInputs(clvFitInputs(histories));
}

export function fitClvInputs({ histories, spends }: ClvFitInputs): ClvFit {
  return { bgNbd: fitBgNbdWeighted(histories), gammaGamma: fitGammaGammaWeighted(spends) };
}

/** The predicted value of one customer (module comment). */
export function predictCustomerValue(
  model: ClvModel,
  history: CustomerPurchaseHistory,
  options: ClvOptions,
): PredictedCustomerValue {
  return predictCustomerValues(model, [history], options)[0];
}

/**
 * The predicted value of each customer, in their order. E[Y(t)] = E[Y(t) | alive] · P(alive), and
 * the first factor depends on (x, T) only: it is computed once per distinct (x, T) at each period
 * end, which is where the time goes (a hypergeometric series each).
 */
export function predictCustomerValues(
  model: ClvModel,
  histories: readonly CustomerPurchaseHistory[],
  { horizon, periods, discountRatePerPeriod, margin }: ClvOptions,
): PredictedCustomerValue[] {
  if (!(horizon > 0) || !Number.isInteger(periods) || periods < 1)
    throw new RangeError('horizon must be positive and periods a whole number of at least 1');
  const discounts = Array.from({ length: periods }, (_, i) => Math.pow(1 + discountRatePerPeriod, i + 1));
  const ifAlive = new Map<string, number[]>();
  const ifAliveAtPeriodEnds = (history: CustomerPurchaseHistory) => {
    const key = `${history.x}|${history.T}`;
    let values = ifAlive.get(key);
    if (values === undefined) {
      values = discounts.map((_, i) =>
        expectedPurchasesIfAlive(model.bgNbd, history, (horizon * (i + 1)) / periods),
      );
      ifAlive.set(key, values);
    }
    return values;
  };
  return histories.map((history) => {
    const spend = expectedMeanSpend(model.gammaGamma, {
      x: history.x,
      meanAmount: history.repeatMeanAmount ?? 0,
    });
    const alive = 1 + dropoutOdds(model.bgNbd, history);
    const curve = ifAliveAtPeriodEnds(history);
    let discountedPurchases = 0;
    let previous = 0;
    for (let i = 0; i < periods; i++) {
      const cumulative = curve[i] / alive;
      discountedPurchases += (cumulative - previous) / discounts[i];
      previous = cumulative;
    }
    return {
      customerId: history.customerId,
      probabilityAlive: probabilityAlive(model.bgNbd, history),
      expectedPurchases: previous,
      expectedSpendPerPurchase: roundCents(spend),
      predictedClv: roundCents(margin * spend * discountedPurchases),
    };
  });
}
