import { createRng, type Rng } from '../random';
import { isEncoded, readRowInto } from '../math/matrix';
import type { LabelMode, Matrix } from '../types';
import { DenseHead, activate, type HeadParameters } from './head';
import { Adam, affine, transpose } from './ops';
import { multiplyTransposed } from '../math/product';
import { resolveHeadOptions } from './options';
import type { ClassifierHead, HeadOptions, Targets } from './types';

/**
 * Trains a classifier head on frozen embeddings: mini-batch Adam, softmax cross-entropy (single and
 * binary modes) or one sigmoid + binary cross-entropy per class (multi-label), L2, optional inverse
 * frequency class weights. Every matrix product goes through the SIMD kernel in `math/product`.
 */

function validate(x: Matrix, targets: Targets, classes: readonly string[], mode: LabelMode): void {
  if (classes.length < 1) throw new RangeError('at least one class is needed to train a head');
  if (!isEncoded(x) && x.data.length !== x.rows * x.cols) throw new RangeError('matrix data does not match rows x cols');
  if ((mode === 'multi') !== (targets.kind === 'multi')) {
    throw new RangeError(`label mode '${mode}' needs ${mode === 'multi' ? 'multi' : 'single'} targets, got '${targets.kind}'`);
  }
  if (targets.kind === 'single') {
    if (targets.y.length !== x.rows) throw new RangeError(`${x.rows} rows but ${targets.y.length} targets`);
    for (const y of targets.y) {
      if (y < 0 || y >= classes.length) throw new RangeError(`target ${y} is outside 0..${classes.length - 1}`);
    }
  } else if (targets.y.length !== x.rows * classes.length) {
    throw new RangeError(`multi-label targets must be ${x.rows} x ${classes.length}`);
  }
}

/** Per-row weights (single mode) or per-class positive weights (multi mode). */
function classWeights(targets: Targets, rows: number, classes: number, enabled: boolean): Float32Array {
  if (targets.kind === 'single') {
    const w = new Float32Array(rows).fill(1);
    if (!enabled) return w;
    const counts = new Float64Array(classes);
    for (const y of targets.y) counts[y]++;
    const present = counts.filter((c) => c > 0).length;
    for (let i = 0; i < rows; i++) w[i] = rows / (present * counts[targets.y[i]]);
    return w;
  }
  const pos = new Float32Array(classes).fill(1);
  if (!enabled) return pos;
  for (let c = 0; c < classes; c++) {
    let positives = 0;
    for (let i = 0; i < rows; i++) positives += targets.y[i * classes + c];
    // BCE pos_weight = negatives / positives, capped so a single positive cannot dominate.
    pos[c] = positives > 0 ? Math.min(10, Math.max(1, (rows - positives) / positives)) : 1;
  }
  return pos;
}

function initParameters(kind: 'logistic' | 'mlp', d: number, h: number, c: number, rng: Rng): HeadParameters {
  const inner = kind === 'mlp' ? h : d;
  const w1 = new Float32Array(kind === 'mlp' ? h * d : 0);
  const he = Math.sqrt(2 / d);
  for (let i = 0; i < w1.length; i++) w1[i] = rng.normal() * he;
  const w2 = new Float32Array(c * inner);
  const glorot = Math.sqrt(1 / inner) * (kind === 'mlp' ? 1 : 0.1);
  for (let i = 0; i < w2.length; i++) w2[i] = rng.normal() * glorot;
  return { w1, b1: new Float32Array(kind === 'mlp' ? h : 0), w2, b2: new Float32Array(c) };
}

function copyParameters(p: HeadParameters): HeadParameters {
  return { w1: p.w1.slice(), b1: p.b1.slice(), w2: p.w2.slice(), b2: p.b2.slice() };
}

function compatible(previous: ClassifierHead | undefined, kind: string, d: number, h: number, classes: readonly string[], mode: LabelMode): previous is DenseHead {
  return (
    previous instanceof DenseHead &&
    previous.kind === kind &&
    previous.mode === mode &&
    previous.inputSize === d &&
    (kind === 'logistic' || previous.hiddenSize === h) &&
    previous.classes.length === classes.length &&
    previous.classes.every((name, i) => name === classes[i])
  );
}

/** Output-layer error signal dLoss/dLogits for one batch, already divided by the batch size. */
function outputDelta(probs: Float32Array, batch: Int32Array, targets: Targets, weights: Float32Array, c: number): Float32Array {
  const bs = batch.length;
  const delta = new Float32Array(bs * c);
  for (let r = 0; r < bs; r++) {
    const i = batch[r];
    const o = r * c;
    if (targets.kind === 'single') {
      const w = weights[i] / bs;
      for (let k = 0; k < c; k++) delta[o + k] = probs[o + k] * w;
      delta[o + targets.y[i]] -= w;
    } else {
      for (let k = 0; k < c; k++) {
        const y = targets.y[i * c + k];
        const w = (y ? weights[k] : 1) / bs;
        delta[o + k] = (probs[o + k] - y) * w;
      }
    }
  }
  return delta;
}

/**
 * delta^T X_batch for few outputs: one pass over the rows, four outputs per pass over a row. Rows
 * are x's rows `batch[r]`, or its first rows in order when `batch` is null.
 */
function outerSum(delta: Float32Array, x: Matrix, c: number, batch: Int32Array | null = null): Float32Array {
  const d = x.cols;
  const g = new Float32Array(c * d);
  const X = x.data;
  const rows = batch ? batch.length : x.rows;
  for (let r = 0; r < rows; r++) {
    const xo = (batch ? batch[r] : r) * d;
    const eo = r * c;
    let k = 0;
    for (; k + 4 <= c; k += 4) {
      const e0 = delta[eo + k];
      const e1 = delta[eo + k + 1];
      const e2 = delta[eo + k + 2];
      const e3 = delta[eo + k + 3];
      const g0 = k * d;
      const g1 = g0 + d;
      const g2 = g1 + d;
      const g3 = g2 + d;
      for (let j = 0; j < d; j++) {
        const v = X[xo + j];
        g[g0 + j] += e0 * v;
        g[g1 + j] += e1 * v;
        g[g2 + j] += e2 * v;
        g[g3 + j] += e3 * v;
      }
    }
    if (k + 2 <= c) {
      const e0 = delta[eo + k];
      const e1 = delta[eo + k + 1];
      const g0 = k * d;
      const g1 = g0 + d;
      for (let j = 0; j < d; j++) {
        const v = X[xo + j];
        g[g0 + j] += e0 * v;
        g[g1 + j] += e1 * v;
      }
      k += 2;
    }
    for (; k < c; k++) {
      const e = delta[eo + k];
      const go = k * d;
      for (let j = 0; j < d; j++) g[go + j] += e * X[xo + j];
    }
  }
  return g;
}

/**
 * Logits of rows `batch` of x for a logistic head, read in place: for a narrow input (an error
 * head's 65 columns) gathering the batch and a kernel call per step cost more than the product.
 */
function logisticLogits(x: Matrix, batch: Int32Array, w: Float32Array, b: Float32Array, c: number): Float32Array {
  const d = x.cols;
  const X = x.data;
  const out = new Float32Array(batch.length * c);
  for (let r = 0; r < batch.length; r++) {
    const xo = batch[r] * d;
    for (let k = 0; k < c; k++) {
      const wo = k * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += X[xo + j] * w[wo + j];
      out[r * c + k] = s + b[k];
    }
  }
  return out;
}

/** Inputs at most this wide train a logistic head without gathering batches (`logisticLogits`). */
const NARROW_LOGISTIC = 128;

function transposeInto(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = src[o + j];
  }
}

function addL2(grad: Float32Array, params: Float32Array, l2: number): void {
  if (l2 === 0) return;
  for (let i = 0; i < grad.length; i++) grad[i] += l2 * params[i];
}

function biasGradient(delta: Float32Array, rows: number, cols: number): Float32Array {
  const g = new Float32Array(cols);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) g[k] += delta[r * cols + k];
  return g;
}

/**
 * Trains (or, when `previous` has the same kind, classes and shapes, continues training) a head.
 * `version` is previous.version + 1 whenever a previous head is given, else 1.
 */
export function trainHead(
  x: Matrix,
  targets: Targets,
  classes: readonly string[],
  mode: LabelMode,
  options: Partial<HeadOptions> = {},
  previous?: ClassifierHead,
): DenseHead {
  validate(x, targets, classes, mode);
  const o = resolveHeadOptions(options);
  const d = x.cols;
  const c = classes.length;
  const h = o.hidden;
  const rng = createRng(o.seed);
  const warm = compatible(previous, o.kind, d, h, classes, mode);
  const params = warm ? copyParameters(previous.parameters) : initParameters(o.kind, d, h, c, rng);
  // Continuing from good weights needs fewer passes than starting from noise.
  const epochs = warm && options.epochs === undefined ? o.warmEpochs : o.epochs;
  const version = previous ? previous.version + 1 : 1;
  const weights = classWeights(targets, x.rows, c, o.classWeighting);
  const inner = o.kind === 'mlp' ? h : d;
  const opt = {
    w1: new Adam(params.w1, o.learningRate),
    b1: new Adam(params.b1, o.learningRate),
    w2: new Adam(params.w2, o.learningRate),
    b2: new Adam(params.b2, o.learningRate),
  };
  const n = x.rows;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const bsMax = Math.min(o.batchSize, Math.max(1, n));
  const xbData = new Float32Array(bsMax * d);
  const xtData = new Float32Array(bsMax * d);
  const trainable = n > 0 && (c > 1 || mode === 'multi');
  // An encoded (int8) matrix is read a gathered batch at a time, never whole.
  const narrow = o.kind === 'logistic' && d <= NARROW_LOGISTIC && !isEncoded(x);
  for (let epoch = 0; trainable && epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (let from = 0; from < n; from += bsMax) {
      const batch = order.subarray(from, Math.min(n, from + bsMax));
      const bs = batch.length;
      if (narrow) {
        const logits = logisticLogits(x, batch, params.w2, params.b2, c);
        activate(logits, bs, c, mode, logits);
        const delta = outputDelta(logits, batch, targets, weights, c);
        const gW2 = outerSum(delta, x, c, batch);
        addL2(gW2, params.w2, o.l2);
        opt.w2.apply(gW2);
        opt.b2.apply(biasGradient(delta, bs, c));
        continue;
      }
      // Gather the batch row-major (forward pass); the MLP also wants it transposed (dW1 product).
      for (let r = 0; r < bs; r++) readRowInto(x, batch[r] as number, xbData, r * d);
      if (o.kind === 'mlp') transposeInto(xbData, bs, d, xtData);
      const xb: Matrix = { data: xbData.subarray(0, bs * d), rows: bs, cols: d };
      const xt: Matrix = { data: xtData.subarray(0, bs * d), rows: d, cols: bs };
      let hb: Matrix = xb;
      let z1: Float32Array | null = null;
      if (o.kind === 'mlp') {
        z1 = affine(xb, params.w1, params.b1, h);
        const act = new Float32Array(z1.length);
        for (let i = 0; i < z1.length; i++) act[i] = z1[i] > 0 ? z1[i] : 0;
        hb = { data: act, rows: bs, cols: h };
      }
      const logits = affine(hb, params.w2, params.b2, c);
      const probs = new Float32Array(logits.length);
      activate(logits, bs, c, mode, probs);
      const delta = outputDelta(probs, batch, targets, weights, c);
      const gW2 =
        o.kind === 'mlp' ? multiplyTransposed(transpose(delta, bs, c), transpose(hb.data, bs, h)) : outerSum(delta, xb, c);
      addL2(gW2, params.w2, o.l2);
      const gB2 = biasGradient(delta, bs, c);
      if (o.kind === 'mlp' && z1) {
        // dH = delta W2, masked by ReLU'.
        const dH = new Float32Array(bs * h);
        for (let r = 0; r < bs; r++) {
          for (let k = 0; k < c; k++) {
            const e = delta[r * c + k];
            if (e === 0) continue;
            const wo = k * inner;
            const ho = r * h;
            for (let j = 0; j < h; j++) dH[ho + j] += e * params.w2[wo + j];
          }
        }
        for (let i = 0; i < dH.length; i++) if (z1[i] <= 0) dH[i] = 0;
        const gW1 = multiplyTransposed(transpose(dH, bs, h), xt);
        addL2(gW1, params.w1, o.l2);
        opt.w1.apply(gW1);
        opt.b1.apply(biasGradient(dH, bs, h));
      }
      opt.w2.apply(gW2);
      opt.b2.apply(gB2);
    }
  }
  return new DenseHead(o.kind, mode, classes.slice(), d, version, params);
}
