import { hyp2f1, lnBeta, lnGamma, nelderMead } from './numeric';

describe('special functions', () => {
  it('computes ln Γ at known points', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(2)).toBeCloseTo(0, 13);
    // Γ(½) = √π
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    // Γ(10) = 9! = 362880
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    // Γ(0.1) = 9.513507698668732
    expect(lnGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
    // B(2, 3) = 1!·2!/4! = 1/12
    expect(lnBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });

  it('computes ₂F₁ against closed forms and refuses z outside 0..1', () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(2 * Math.log(2), 12);
    // ₂F₁(a, b; b; z) = (1 − z)^−a
    expect(hyp2f1(2, 3, 3, 0.25)).toBeCloseTo(1 / 0.75 ** 2, 12);
    expect(hyp2f1(2, 3, 4, 0)).toBe(1);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });
});

describe('Nelder-Mead', () => {
  it('finds the minimum of a quadratic bowl and of the Rosenbrock valley', () => {
    const bowl = nelderMead(([x, y]) => (x - 3) ** 2 + (y + 1) ** 2, [0, 0]);
    expect(bowl.converged).toBe(true);
    expect(bowl.x[0]).toBeCloseTo(3, 4);
    expect(bowl.x[1]).toBeCloseTo(-1, 4);
    const rosenbrock = nelderMead(([x, y]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2, [-1.2, 1]);
    expect(rosenbrock.x[0]).toBeCloseTo(1, 4);
    expect(rosenbrock.x[1]).toBeCloseTo(1, 4);
  });

  it('treats values that are not finite as +∞, and stops at the iteration limit', () => {
    const walled = nelderMead(([x]) => (x < 0 ? Number.NaN : (x - 2) ** 2), [1]);
    expect(walled.x[0]).toBeCloseTo(2, 4);
    const cut = nelderMead(([x, y]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2, [-1.2, 1], {
      maxIterations: 5,
    });
    expect(cut).toMatchObject({ converged: false, iterations: 5 });
  });
});
