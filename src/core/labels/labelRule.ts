/**
 * The current-label rule when several annotators labeled one item (each on their own branch, merged
 * by git, or in turn in one workspace). Replay keeps each annotator's latest label per item; this
 * file decides which of them is the item's current label:
 *
 * 1. **review**: the latest `review` event (source `review`, e.g. a reviewer's correction or "keep
 *    as reviewed") among the annotators' latest labels decides;
 * 2. else **agreement**: when all annotators' latest labels agree, that label;
 * 3. else **latest**: the annotators disagree and nobody reviewed; the latest label in the log wins
 *    (file order, never the clock), and the item is an adjudication candidate.
 *
 * One annotator's labels are 'single' (their latest label), which is exactly the rule of a
 * single-annotator log: the last label or skip in effect wins. An annotator's latest decision can be
 * a skip: they passed the item over, so they cast no label on it (and, when nobody else labeled it,
 * the item is skipped).
 */
import type { LabelEvent } from './events';

/** Which step of the rule decided an item's current label. */
export type LabelDecision = 'review' | 'agreement' | 'single' | 'latest';

/** One annotator's latest label on an item. */
export interface AnnotatorLabel {
  readonly annotator: string;
  readonly labels: readonly string[];
  /** The annotator's latest `label` event in effect for the item. */
  readonly event: LabelEvent;
}

export interface RuledLabel {
  /** The event whose labels are the item's current label; undefined when nobody labeled it. */
  readonly decider: LabelEvent | undefined;
  readonly decidedBy: LabelDecision | undefined;
  /**
   * The annotators' own labels differ. Reviews are left out: a reviewer decides after seeing the
   * others, so a review settles a disagreement (decidedBy 'review') without hiding it.
   */
  readonly disagree: boolean;
}

/** `votes`: each annotator's latest label on the item, oldest first (file order). */
export function decideLabel(votes: readonly AnnotatorLabel[]): RuledLabel {
  // One vote or none (nearly every item): nothing to disagree with, no label keys to build.
  if (votes.length === 0) return NOBODY;
  if (votes.length === 1) {
    const only = (votes[0] as AnnotatorLabel).event;
    return only.source === 'review' ? { decider: only, decidedBy: 'review', disagree: false } : { decider: only, decidedBy: 'single', disagree: false };
  }
  const independent = votes.filter((v) => v.event.source !== 'review');
  const disagree = new Set(independent.map((v) => labelKey(v.labels))).size > 1;
  const last = votes[votes.length - 1];
  if (last === undefined) return { decider: undefined, decidedBy: undefined, disagree };
  for (let i = votes.length - 1; i >= 0; i--) {
    const vote = votes[i] as AnnotatorLabel;
    if (vote.event.source === 'review') return { decider: vote.event, decidedBy: 'review', disagree };
  }
  if (votes.length === 1) return { decider: last.event, decidedBy: 'single', disagree };
  const agree = new Set(votes.map((v) => labelKey(v.labels))).size === 1;
  return { decider: last.event, decidedBy: agree ? 'agreement' : 'latest', disagree };
}

const NOBODY: RuledLabel = { decider: undefined, decidedBy: undefined, disagree: false };

/** One string per label set: a multi-label choice is compared as a set, in any order. */
export function labelKey(labels: readonly string[]): string {
  return JSON.stringify([...labels].sort());
}
