/**
 * The review queue's orders: pure functions from the label state, the model's probabilities and the
 * suspected label errors to the items to review, most likely wrong first, each with the label to
 * suggest and a sentence saying why. One record (REVIEW_ORDERS) holds every order; the worker, the
 * panel's select and the README's list all come from it and from src/shared/reviewOrders.ts.
 *
 * "Reviewed" is a state of its own: an item whose current label was decided by a `review` event
 * (labelRule.ts) leaves every order, except that a kept suspect comes back when the model changes
 * its mind strongly (itemView.ts `suspectShown`), and a flag raised after the review brings it
 * back to the flagged order.
 */
import { disagreements } from '../labels/adjudication';
import { labelKey } from '../labels/labelRule';
import type { CurrentLabel } from '../labels/state';
import type { LabelMode, LabelSource } from '../types';
import { suspectShown } from './itemView';
import { REVIEW_ORDER_CATALOG, type ReviewOrderId, type SuggestionSource } from '../../shared/reviewOrders';
import { humanLabelOf } from './reviewEvents';

export { REVIEW_ORDER_CATALOG, REVIEW_ORDER_IDS, type ReviewOrderId, type SuggestionSource } from '../../shared/reviewOrders';

/** A suspected label error of a labeled row (the worker's out-of-fold confident learning). */
export interface SuspectRow {
  readonly row: number;
  readonly given: string;
  readonly suggested: string;
  /** 1 - P(given), out of fold. */
  readonly score: number;
  /** P(suggested), out of fold. */
  readonly suggestedProb: number;
}

/** What the orders read. Rows index `itemIds`. */
export interface ReviewContext {
  readonly itemIds: readonly string[];
  /** The row of an item id, undefined when the dataset has no such item. */
  readonly rowOf: (itemId: string) => number | undefined;
  readonly mode: LabelMode;
  /** The replayed label state (LabelState.labels). */
  readonly state: ReadonlyMap<string, CurrentLabel>;
  /** The current model's classes and per-row probabilities; absent before the first model. */
  readonly model?: {
    readonly classes: readonly string[];
    /** Probabilities of `classes` for the row, or undefined when the row is not scored. */
    probs(row: number): ArrayLike<number> | undefined;
  };
  /** The latest suspects, most suspicious first. */
  readonly suspects: readonly SuspectRow[];
  /** The file's labels imported as predictions to review, by item id. */
  readonly toReview: ReadonlyMap<string, readonly string[]>;
}

export interface ReviewSuggestion {
  readonly labels: readonly string[];
  readonly from: SuggestionSource;
  /** How sure the source is, in [0, 1] (the model's probability), when known. */
  readonly score?: number;
  /** The annotator whose label is suggested (from 'annotator'). */
  readonly annotator?: string;
}

export interface ReviewCandidate {
  readonly itemId: string;
  readonly row: number;
  /** The item's current label and who gave it; absent when it has none (an item flagged or imported unlabeled). */
  readonly current?: { readonly labels: readonly string[]; readonly annotator: string; readonly source: LabelSource };
  readonly suggestion?: ReviewSuggestion;
  /** How likely the label under review is wrong, in [0, 1]; kept in the review event's `score`. */
  readonly score: number;
  /** One sentence for the card, e.g. `ana labeled "sports"; the model predicts "business" (0.94, out of fold)`. */
  readonly detail: string;
  /** The model's top label and its probability (the predicted-label and confidence filters). */
  readonly predicted?: { readonly label: string; readonly confidence: number };
  /** Annotators disagree, or the model's top label is not the label under review. */
  readonly disagreement: boolean;
  /** Every annotator whose latest label is on the item (the annotator filter). */
  readonly annotators: readonly string[];
}

/** Narrow an order down; every field is optional and they combine with AND. */
export interface ReviewFilters {
  /** The label under review (the current label, else the file's) includes this label. */
  readonly label?: string;
  /** The model's top label is this label. */
  readonly predicted?: string;
  /** The current label's source. */
  readonly source?: LabelSource;
  /** One of the item's annotators. */
  readonly annotator?: string;
  readonly disagreementOnly?: boolean;
  /** The model's confidence in its top label lies in [min, max]; items without a prediction are left out. */
  readonly minConfidence?: number;
  readonly maxConfidence?: number;
}

export interface ReviewOrder {
  readonly title: string;
  readonly description: string;
  /** Every candidate of the order, most likely wrong first. */
  readonly rank: (context: ReviewContext) => ReviewCandidate[];
}

/** The registry: one entry per order. */
export const REVIEW_ORDERS: Readonly<Record<ReviewOrderId, ReviewOrder>> = {
  suspects: { ...REVIEW_ORDER_CATALOG.suspects, rank: rankSuspects },
  'low-confidence': { ...REVIEW_ORDER_CATALOG['low-confidence'], rank: rankLowConfidence },
  'model-disagrees': { ...REVIEW_ORDER_CATALOG['model-disagrees'], rank: rankModelDisagrees },
  annotators: { ...REVIEW_ORDER_CATALOG.annotators, rank: rankAnnotators },
  flagged: { ...REVIEW_ORDER_CATALOG.flagged, rank: rankFlagged },
  imported: { ...REVIEW_ORDER_CATALOG.imported, rank: rankImported },
};

/** The order's candidates that pass the filters, most likely wrong first. */
export function reviewCandidates(order: ReviewOrderId, context: ReviewContext, filters: ReviewFilters = {}): ReviewCandidate[] {
  return REVIEW_ORDERS[order].rank(context).filter((c) => passes(c, filters));
}

/** True when the item's current label was decided by a review (it has been reviewed). */
export function isReviewed(current: CurrentLabel | undefined): boolean {
  return current?.labeled === true && current.decidedBy === 'review';
}

export function passes(c: ReviewCandidate, f: ReviewFilters): boolean {
  if (f.label !== undefined && !underReview(c).includes(f.label)) return false;
  if (f.predicted !== undefined && c.predicted?.label !== f.predicted) return false;
  if (f.source !== undefined && c.current?.source !== f.source) return false;
  if (f.annotator !== undefined && !c.annotators.includes(f.annotator)) return false;
  if (f.disagreementOnly === true && !c.disagreement) return false;
  if (f.minConfidence !== undefined || f.maxConfidence !== undefined) {
    const p = c.predicted?.confidence;
    if (p === undefined || p < (f.minConfidence ?? 0) || p > (f.maxConfidence ?? 1)) return false;
  }
  return true;
}

// ---- the orders ------------------------------------------------------------------------------

function rankSuspects(ctx: ReviewContext): ReviewCandidate[] {
  const out: ReviewCandidate[] = [];
  const seen = new Set<number>();
  for (const s of ctx.suspects) {
    const itemId = ctx.itemIds[s.row];
    if (itemId === undefined || seen.has(s.row)) continue;
    seen.add(s.row);
    const current = ctx.state.get(itemId);
    if (!suspectShown(s, humanLabelOf(current))) continue;
    const who = current?.labelEvent?.annotator;
    out.push({
      ...base(ctx, itemId, s.row, current),
      suggestion: { labels: [s.suggested], from: 'model', score: clamp01(s.suggestedProb) },
      score: clamp01(s.score),
      detail: `${who ? `${who} labeled` : 'Labeled'} ${quote(s.given)}; the model, trained without it, predicts ${quote(s.suggested)} (${fmt(s.suggestedProb)}, out of fold)`,
    });
  }
  return out;
}

function rankLowConfidence(ctx: ReviewContext): ReviewCandidate[] {
  const scored: { c: ReviewCandidate; p: number }[] = [];
  forLabeled(ctx, (itemId, row, current) => {
    const probs = ctx.model?.probs(row);
    const p = probs === undefined ? undefined : probabilityOf(ctx, probs, current.labels);
    if (p === undefined) return;
    const b = base(ctx, itemId, row, current);
    scored.push({
      p,
      c: {
        ...b,
        ...modelSuggestion(b.predicted),
        score: clamp01(1 - p),
        detail: `The model gives ${quote(current.labels.join(', '))} only ${fmt(p)}${b.predicted ? `; it predicts ${quote(b.predicted.label)} (${fmt(b.predicted.confidence)})` : ''}`,
      },
    });
  });
  return scored.sort((a, b) => a.p - b.p || a.c.row - b.c.row).map((s) => s.c);
}

function rankModelDisagrees(ctx: ReviewContext): ReviewCandidate[] {
  const out: ReviewCandidate[] = [];
  forLabeled(ctx, (itemId, row, current) => {
    const b = base(ctx, itemId, row, current);
    if (b.predicted === undefined || sameLabel(ctx.mode, [b.predicted.label], current.labels)) return;
    const probs = ctx.model?.probs(row);
    const p = probs === undefined ? undefined : probabilityOf(ctx, probs, current.labels);
    out.push({
      ...b,
      suggestion: { labels: [b.predicted.label], from: 'model', score: clamp01(b.predicted.confidence) },
      score: clamp01(p === undefined ? b.predicted.confidence : 1 - p),
      detail: `${current.labelEvent?.annotator ?? 'Someone'} labeled ${quote(current.labels.join(', '))}; the model predicts ${quote(b.predicted.label)} (${fmt(b.predicted.confidence)})`,
    });
  });
  return out.sort((a, b) => (b.predicted?.confidence ?? 0) - (a.predicted?.confidence ?? 0) || a.row - b.row);
}

function rankAnnotators(ctx: ReviewContext): ReviewCandidate[] {
  const out: ReviewCandidate[] = [];
  for (const d of disagreements(ctx.state)) {
    const row = ctx.rowOf(d.itemId);
    if (row === undefined) continue;
    const current = ctx.state.get(d.itemId);
    // The other view: the most recent annotator whose label is not the current one.
    const other = [...d.annotators].reverse().find((a) => labelKey(a.labels) !== labelKey(d.current));
    const b = base(ctx, d.itemId, row, current);
    const probs = ctx.model?.probs(row);
    const p = probs === undefined ? undefined : probabilityOf(ctx, probs, d.current);
    out.push({
      ...b,
      disagreement: true,
      ...(other !== undefined ? { suggestion: { labels: [...other.labels], from: 'annotator' as const, annotator: other.annotator } } : {}),
      score: p === undefined ? 0.5 : clamp01(1 - p),
      detail: d.annotators.map((a) => `${a.annotator}: ${quote(a.labels.join(', '))}`).join(' · '),
    });
  }
  return out;
}

function rankFlagged(ctx: ReviewContext): ReviewCandidate[] {
  const out: ReviewCandidate[] = [];
  for (const current of ctx.state.values()) {
    if (!current.flagged) continue;
    // Reviewed after the flag: the last event in effect is the review itself.
    const last = current.lastEvent;
    if (last.type === 'label' && last.source === 'review') continue;
    const row = ctx.rowOf(current.itemId);
    if (row === undefined) continue;
    const b = base(ctx, current.itemId, row, current);
    const labels = current.labeled ? current.labels : [];
    const probs = ctx.model?.probs(row);
    const p = probs === undefined || labels.length === 0 ? undefined : probabilityOf(ctx, probs, labels);
    const flaggedBy = flagAnnotator(current);
    out.push({
      ...b,
      ...modelSuggestion(b.predicted),
      score: p === undefined ? 0.5 : clamp01(1 - p),
      detail: `Flagged${flaggedBy ? ` by ${flaggedBy}` : ''}${labels.length > 0 ? `; labeled ${quote(labels.join(', '))}` : '; not labeled yet'}`,
    });
  }
  return out;
}

function rankImported(ctx: ReviewContext): ReviewCandidate[] {
  const scored: { c: ReviewCandidate; p: number }[] = [];
  for (const [itemId, fileLabels] of ctx.toReview) {
    const row = ctx.rowOf(itemId);
    const current = ctx.state.get(itemId);
    // Decided already (accepted, corrected, or labeled in the queue): no longer a suggestion.
    if (row === undefined || current?.labeled === true || fileLabels.length === 0) continue;
    const b = base(ctx, itemId, row, current);
    const probs = ctx.model?.probs(row);
    const p = probs === undefined ? undefined : probabilityOf(ctx, probs, fileLabels);
    const model = b.predicted ? `; the model predicts ${quote(b.predicted.label)} (${fmt(b.predicted.confidence)})` : '';
    scored.push({
      p: p ?? 1,
      c: {
        ...b,
        disagreement: b.predicted !== undefined && !sameLabel(ctx.mode, [b.predicted.label], fileLabels),
        suggestion: { labels: [...fileLabels], from: 'file', ...(p !== undefined ? { score: clamp01(p) } : {}) },
        score: p === undefined ? 0.5 : clamp01(1 - p),
        detail: `The file says ${quote(fileLabels.join(', '))}${model}`,
      },
    });
  }
  // With a model, the file labels it doubts most come first; before one, the file's order.
  return scored.sort((a, b) => a.p - b.p || a.c.row - b.c.row).map((s) => s.c);
}

// ---- helpers ---------------------------------------------------------------------------------

/** Each labeled, unreviewed item of the dataset, in row order. */
function forLabeled(ctx: ReviewContext, visit: (itemId: string, row: number, current: CurrentLabel) => void): void {
  ctx.itemIds.forEach((itemId, row) => {
    const current = ctx.state.get(itemId);
    if (current === undefined || !current.labeled || isReviewed(current)) return;
    visit(itemId, row, current);
  });
}

/** What every order fills the same way: the current label, the model's top label, the annotators. */
function base(ctx: ReviewContext, itemId: string, row: number, current: CurrentLabel | undefined): Omit<ReviewCandidate, 'score' | 'detail' | 'suggestion'> {
  const e = current?.labeled ? current.labelEvent : undefined;
  const predicted = topOf(ctx, row);
  const given = current?.labeled ? current.labels : undefined;
  return {
    itemId,
    row,
    ...(e !== undefined ? { current: { labels: [...e.labels], annotator: e.annotator, source: e.source } } : {}),
    ...(predicted !== undefined ? { predicted } : {}),
    disagreement: current?.disagree === true || (predicted !== undefined && given !== undefined && !sameLabel(ctx.mode, [predicted.label], given)),
    annotators: current?.annotators.map((a) => a.annotator) ?? [],
  };
}

/** The model's top label as the suggestion; none before the first model. */
function modelSuggestion(predicted: ReviewCandidate['predicted']): Pick<ReviewCandidate, 'suggestion'> {
  if (predicted !== undefined) return { suggestion: { labels: [predicted.label], from: 'model', score: clamp01(predicted.confidence) } };
  return {};
}

function topOf(ctx: ReviewContext, row: number): ReviewCandidate['predicted'] {
  const probs = ctx.model?.probs(row);
  const classes = ctx.model?.classes;
  if (probs === undefined || classes === undefined || classes.length === 0) return undefined;
  let best = 0;
  for (let c = 1; c < classes.length; c++) if ((probs[c] as number) > (probs[best] as number)) best = c;
  return { label: classes[best] as string, confidence: clamp01(probs[best] as number) };
}

/**
 * The model's probability of a label set: of its class in single and binary mode (a binary
 * reject, stored as no label or another label, is the second class), the least probable of its
 * labels in multi mode. Undefined when a label is not one of the model's classes.
 */
function probabilityOf(ctx: ReviewContext, probs: ArrayLike<number>, labels: readonly string[]): number | undefined {
  const classes = ctx.model?.classes ?? [];
  if (ctx.mode === 'binary') {
    const accept = labels.length === 1 && labels[0] === classes[0];
    return clamp01(probs[accept ? 0 : 1] as number);
  }
  if (labels.length === 0) return undefined;
  let p = 1;
  for (const l of labels) {
    const c = classes.indexOf(l);
    if (c < 0) return undefined;
    p = Math.min(p, probs[c] as number);
    if (ctx.mode === 'single') break;
  }
  return clamp01(p);
}

/** The model's top label against a label set: in binary mode a reject matches the second class. */
function sameLabel(mode: LabelMode, predicted: readonly string[], labels: readonly string[]): boolean {
  if (mode === 'multi') return labels.includes(predicted[0] as string);
  return labelKey(predicted) === labelKey(labels.slice(0, 1));
}

function flagAnnotator(current: CurrentLabel): string | undefined {
  return current.lastEvent.type === 'flag' ? current.lastEvent.annotator || undefined : undefined;
}

function underReview(c: ReviewCandidate): readonly string[] {
  return c.current?.labels ?? (c.suggestion?.from === 'file' ? c.suggestion.labels : []);
}

function quote(text: string): string {
  return `"${text}"`;
}

function fmt(p: number): string {
  return clamp01(p).toFixed(2);
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
