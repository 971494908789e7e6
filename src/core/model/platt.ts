/**
 * Platt scaling: a 1-D logistic regression P(y = 1 | s) = sigmoid(a·s + b) fitted to raw scores `s`
 * (logits of a model that did not train on the scored items) against their true outcomes.
 *
 * Follows Platt (1999) with the Newton method of Lin, Lin and Weng, "A note on Platt's
 * probabilistic outputs for support vector machines" (2007):
 *   - targets are smoothed to (N+ + 1) / (N+ + 2) for positives and 1 / (N- + 2) for negatives, so a
 *     perfectly separable set does not drive the slope to infinity;
 *   - the slope is kept at a >= 0, so calibration never reverses the order of the raw scores (a
 *     score with no out-of-fold skill gets a = 0: every item gets the smoothed base rate);
 *   - calibrated probabilities are clipped to [1 / (N- + 2), (N+ + 1) / (N+ + 2)], the range the
 *     evidence supports: with 5 observed positives nothing is called more likely than 6/7.
 */
export interface PlattFit {
  readonly a: number;
  readonly b: number;
  readonly positives: number;
  readonly negatives: number;
  /** Lowest and highest probability the fit reports: the smoothed targets. */
  readonly low: number;
  readonly high: number;
}

const MAX_ITERATIONS = 100;
const MIN_STEP = 1e-10;
const SIGMA = 1e-12;
const EPSILON = 1e-5;

/** Negative log-likelihood of targets t under P = 1 / (1 + exp(A f + B)), computed stably. */
function objective(scores: ArrayLike<number>, t: Float64Array, A: number, B: number): number {
  let f = 0;
  for (let i = 0; i < t.length; i++) {
    const z = scores[i] * A + B;
    f += z >= 0 ? t[i] * z + Math.log1p(Math.exp(-z)) : (t[i] - 1) * z + Math.log1p(Math.exp(z));
  }
  return f;
}

/**
 * Fits Platt scaling to `scores` (higher = more likely positive) and `outcomes` (1 positive, 0
 * negative). Throws when the lengths differ or a class is missing; callers decide how many
 * outcomes are enough.
 */
export function fitPlatt(scores: ArrayLike<number>, outcomes: ArrayLike<number>): PlattFit {
  const n = outcomes.length;
  if (scores.length !== n) throw new RangeError(`fitPlatt: ${scores.length} scores but ${n} outcomes`);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += outcomes[i] ? 1 : 0;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError(`fitPlatt needs both outcomes, got ${positives} positive and ${negatives} negative`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw new RangeError(`fitPlatt: score ${i} is ${scores[i]}`);
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  const t = Float64Array.from({ length: n }, (_, i) => (outcomes[i] ? high : low));
  // Platt's parametrisation: P = 1 / (1 + exp(A f + B)), so A < 0 when higher scores mean positive.
  let A = 0;
  let B = Math.log((negatives + 1) / (positives + 1));
  let fval = objective(scores, t, A, B);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    let h11 = SIGMA;
    let h22 = SIGMA;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const z = scores[i] * A + B;
      // p = P(positive), q = 1 - p, computed without overflow.
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
      const q = 1 - p;
      const d2 = p * q;
      h11 += scores[i] * scores[i] * d2;
      h22 += d2;
      h21 += scores[i] * d2;
      const d1 = t[i] - p;
      g1 += scores[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < EPSILON && Math.abs(g2) < EPSILON) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    let moved = false;
    while (step >= MIN_STEP) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = objective(scores, t, nA, nB);
      if (nf < fval + 0.0001 * step * gd) {
        A = nA;
        B = nB;
        fval = nf;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break; // line search failed: the current point is as good as this precision gets
  }
  let a = -A;
  let b = -B;
  if (!(a > 0)) {
    // No positive slope: the score does not order outcomes out of fold. The best constant is the
    // mean smoothed target, and order is kept (ties) rather than reversed.
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t[i];
    mean /= n;
    a = 0;
    b = Math.log(mean / (1 - mean));
  }
  return { a, b, positives, negatives, low, high };
}

/** Calibrated probability of one raw score, clipped to the range the evidence supports. */
export function applyPlatt(fit: PlattFit, score: number): number {
  const z = fit.a * score + fit.b;
  const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  return Math.min(fit.high, Math.max(fit.low, p));
}
