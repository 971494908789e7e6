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

/** One annotator's label on one item. `label` is any string key (a label set is one key). */
export interface Annotation {
  readonly item: string;
  readonly annotator: string;
  readonly label: string;
}

export interface AlphaResult {
  /** Krippendorff's alpha; null when it is undefined: fewer than two pairable values, or only one value in use. */
  readonly alpha: number | null;
  /** Units (items) with at least two values, the only ones that can be compared. */
  readonly units: number;
  /** Values in those units (n in Krippendorff's notation). */
  readonly values: number;
}

/**
 * Krippendorff's alpha for nominal data, any number of coders, missing values allowed (Krippendorff
 * 2011, "Computing Krippendorff's Alpha-Reliability"). `units` holds each unit's values, missing ones
 * left out. From the coincidence matrix o_ck (each unit adds n_uc (n_uk - [c = k]) / (m_u - 1) for its
 * m_u >= 2 values) and the value totals n_c, n = sum n_c:
 *   alpha = 1 - (n - 1) (n - sum_c o_cc) / (n^2 - sum_c n_c^2).
 */
export function krippendorffAlphaNominal(units: ReadonlyArray<ReadonlyArray<string>>): AlphaResult {
  const totals = new Map<string, number>();
  let agreeing = 0; // sum_c o_cc
  let n = 0;
  let pairable = 0;
  for (const unit of units) {
    const m = unit.length;
    if (m < 2) continue;
    pairable++;
    const counts = new Map<string, number>();
    for (const value of unit) counts.set(value, (counts.get(value) ?? 0) + 1);
    for (const [value, count] of counts) {
      agreeing += (count * (count - 1)) / (m - 1);
      totals.set(value, (totals.get(value) ?? 0) + count);
    }
    n += m;
  }
  let squares = 0;
  for (const t of totals.values()) squares += t * t;
  const expected = n * n - squares;
  if (n < 2 || expected === 0) return { alpha: null, units: pairable, values: n };
  return { alpha: 1 - ((n - 1) * (n - agreeing)) / expected, units: pairable, values: n };
}

/** Counts of (a's label, b's label) over the items both labeled; rows are a's labels, columns b's. */
export interface ConfusionTable {
  /** Every label either annotator used on a shared item, sorted. */
  readonly labels: readonly string[];
  readonly counts: readonly (readonly number[])[];
}

export interface PairAgreement {
  readonly a: string;
  readonly b: string;
  /** Items both annotators labeled. */
  readonly items: number;
  /** Of those, items with the same label. */
  readonly agreed: number;
  /** Cohen's kappa on the shared items; null when they share none. */
  readonly kappa: number | null;
  readonly confusion: ConfusionTable;
}

export interface AgreementSummary {
  /** Sorted. */
  readonly annotators: readonly string[];
  /** Items with at least one annotation. */
  readonly items: number;
  /** Every pair of annotators (a before b in the sorted order). */
  readonly pairs: readonly PairAgreement[];
  /** Over all annotators together; null with fewer than two annotators. */
  readonly alpha: AlphaResult | null;
}

/**
 * Cohen's kappa for each pair of annotators on the items both labeled, and Krippendorff's alpha over
 * everyone (missing labels allowed). An annotator with two annotations of one item counts once:
 * the later one in the input.
 */
export function agreementSummary(annotations: Iterable<Annotation>): AgreementSummary {
  const byItem = new Map<string, Map<string, string>>();
  const annotatorSet = new Set<string>();
  for (const { item, annotator, label } of annotations) {
    let labels = byItem.get(item);
    if (labels === undefined) byItem.set(item, (labels = new Map()));
    labels.set(annotator, label);
    annotatorSet.add(annotator);
  }
  const annotators = [...annotatorSet].sort();
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < annotators.length; i++) {
    for (let j = i + 1; j < annotators.length; j++) {
      pairs.push(pairAgreement(annotators[i] as string, annotators[j] as string, byItem));
    }
  }
  const alpha = annotators.length < 2 ? null : krippendorffAlphaNominal([...byItem.values()].map((labels) => [...labels.values()]));
  return { annotators, items: byItem.size, pairs, alpha };
}

function pairAgreement(a: string, b: string, byItem: ReadonlyMap<string, ReadonlyMap<string, string>>): PairAgreement {
  const shared: Array<[string, string]> = [];
  for (const labels of byItem.values()) {
    const x = labels.get(a);
    const y = labels.get(b);
    if (x !== undefined && y !== undefined) shared.push([x, y]);
  }
  const labels = [...new Set(shared.flat())].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => labels.map(() => 0));
  let agreed = 0;
  for (const [x, y] of shared) {
    (counts[index.get(x) as number] as number[])[index.get(y) as number]++;
    if (x === y) agreed++;
  }
  const kappa =
    shared.length === 0
      ? null
      : cohenKappa(
          shared.map(([x]) => index.get(x) as number),
          shared.map(([, y]) => index.get(y) as number),
        );
  return { a, b, items: shared.length, agreed, kappa, confusion: { labels, counts } };
}
