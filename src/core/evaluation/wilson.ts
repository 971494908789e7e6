/**
 * The Wilson score interval for a binomial proportion (Wilson 1927): the confidence band drawn
 * around the learning curve's accuracy. Unlike the normal ("Wald") interval it stays inside [0, 1]
 * and is not zero-width at 0 or n successes, which matters at the small n a labeling session has.
 */

/** The two-sided 95% normal quantile. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * The interval for `successes` out of `n` trials at normal quantile `z` (95% by default).
 * n = 0 carries no information: [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Interval {
  if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`n must be a non-negative number, got ${n}`);
  if (!(successes >= 0 && successes <= n)) throw new RangeError(`successes must be in [0, ${n}], got ${successes}`);
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // 0 and n successes give exactly 0 and 1 in theory; do not let rounding move them inside.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}
