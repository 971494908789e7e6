/**
 * Cohen's kappa: agreement between two labelings of the same items, corrected for the agreement
 * expected by chance from each labeling's own class frequencies.
 */

/**
 * kappa = (po - pe) / (1 - pe). Values are class indices (any non-negative integers).
 * When chance agreement is already perfect (both labelings constant and equal) kappa is 1; an
 * empty input also gives 1, since nothing changed.
 */
export function cohenKappa(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`kappa needs equal lengths (${a.length} vs ${b.length})`);
  const n = a.length;
  if (n === 0) return 1;
  const countA = new Map<number, number>();
  const countB = new Map<number, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x === y) agree++;
    countA.set(x, (countA.get(x) ?? 0) + 1);
    countB.set(y, (countB.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [label, ca] of countA) pe += (ca / n) * ((countB.get(label) ?? 0) / n);
  if (pe >= 1) return po >= 1 ? 1 : 0;
  return (po - pe) / (1 - pe);
}
