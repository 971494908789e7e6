/**
 * The label events a reviewer's decisions in the editor become, and the human label the log's
 * state says an item has. Every decision (set a label, accept the prediction, mark reviewed, keep
 * a suspected label) is a `label` event with source `review`: never a rewrite of the data file.
 */
import type { LabelEventInput } from '../labels/events';
import type { CurrentLabel } from '../labels/state';
import type { HumanLabel } from './itemView';

/** What surfaced an item for review, written as the event's `strategy`. */
export const REVIEW_STRATEGY = {
  /** Flagged by confident learning (a suspected label error). */
  suspect: 'confident-learning',
  /** Chosen by the reviewer in the editor. */
  editor: 'editor',
} as const;

export interface ReviewDecision {
  readonly itemId: string;
  readonly labels: readonly string[];
  /** The suspicion score (1 - P(given)) the reviewer saw, when the model had one. */
  readonly score?: number;
  /** The decision answers a suspected label error (a quick fix). */
  readonly fromSuspect?: boolean;
  readonly modelVersion?: number;
}

export function reviewEvent(decision: ReviewDecision, annotator: string): LabelEventInput {
  const score = decision.score !== undefined && Number.isFinite(decision.score) ? Math.min(1, Math.max(0, decision.score)) : undefined;
  return {
    type: 'label',
    itemId: decision.itemId,
    labels: [...decision.labels],
    annotator,
    source: 'review',
    strategy: decision.fromSuspect === true ? REVIEW_STRATEGY.suspect : REVIEW_STRATEGY.editor,
    ...(score !== undefined ? { score } : {}),
    ...(decision.modelVersion !== undefined && decision.modelVersion > 0 ? { modelVersion: String(decision.modelVersion) } : {}),
  };
}

/** The human label of an item, from the replayed state; undefined when it has none in effect. */
export function humanLabelOf(current: CurrentLabel | undefined): HumanLabel | undefined {
  const e = current?.labelEvent;
  if (current === undefined || !current.labeled || e === undefined) return undefined;
  return {
    labels: current.labels,
    annotator: e.annotator,
    source: e.source,
    time: e.time,
    ...(e.source === 'review' && e.score !== undefined ? { reviewedScore: e.score } : {}),
  };
}
