/**
 * What the editor shows after an item's line, as plain text (VS Code's `after` decoration takes
 * `contentText`, never markup), and the rule that decides when a suspected label error is shown:
 * - a suspected error, `⚠ sports → business 0.94` (the given label, the suggested one and the
 *   model's out-of-fold probability of the suggestion);
 * - else the human label, `✓ sports · ana` (`· reviewed` added when a reviewer decided it);
 * - else the model's prediction, `sports 0.93`, muted.
 */
import type { LabelSource } from '../types';

export interface HumanLabel {
  readonly labels: readonly string[];
  readonly annotator: string;
  readonly source: LabelSource;
  readonly time: string;
  /**
   * For a reviewed label: the suspicion score (1 - P(given label)) the reviewer saw when deciding,
   * kept in the review event's `score`. Used by `suspectShown`.
   */
  readonly reviewedScore?: number;
}

export interface PredictedLabel {
  readonly label: string;
  readonly probability: number;
}

/** A suspected label error (confident learning, out-of-fold), about the label the item had then. */
export interface Suspect {
  readonly given: string;
  readonly suggested: string;
  /** 1 - P(given), out of fold: higher is more suspicious. */
  readonly score: number;
  /** P(suggested), out of fold. */
  readonly suggestedProb: number;
}

export interface ItemReview {
  readonly human?: HumanLabel;
  /** The current model's most probable labels, best first (at most 3). */
  readonly top: readonly PredictedLabel[];
  readonly suspect?: Suspect;
}

export type DecorationKind = 'suspect' | 'human' | 'prediction';

export interface DecorationText {
  readonly kind: DecorationKind;
  readonly text: string;
}

/**
 * How much more suspicious than when it was reviewed an item must get to be flagged again after a
 * reviewer kept its label: the suspicion score (1 - P(given)) must rise by at least this much. A
 * reviewed label recorded without a score counts as reviewed at 0.5.
 */
export const STRONG_CHANGE = 0.15;
const UNSCORED_REVIEW = 0.5;

/**
 * Whether a suspect is shown (decoration, diagnostic). Not when the label it is about has changed
 * since (it judged a label the item no longer has), and not when a reviewer kept that label,
 * unless the model has changed its mind strongly since (see STRONG_CHANGE).
 */
export function suspectShown(suspect: Suspect, human: HumanLabel | undefined): boolean {
  if (human === undefined || human.labels.length !== 1 || human.labels[0] !== suspect.given) return false;
  if (human.source !== 'review') return true;
  return suspect.score >= (human.reviewedScore ?? UNSCORED_REVIEW) + STRONG_CHANGE;
}

const MAX_NAME = 40;

/** A label or name safe for one line of plain text: no line breaks or controls, bounded length. */
export function oneLine(text: string, max = MAX_NAME): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatProbability(p: number): string {
  return (Math.round(Math.min(1, Math.max(0, p)) * 100) / 100).toFixed(2);
}

/** The text after an item's line, or undefined when there is nothing to say. */
export function decorationFor(review: ItemReview): DecorationText | undefined {
  const { human, suspect, top } = review;
  if (suspect !== undefined && suspectShown(suspect, human)) {
    return { kind: 'suspect', text: `⚠ ${oneLine(suspect.given)} → ${oneLine(suspect.suggested)} ${formatProbability(suspect.suggestedProb)}` };
  }
  if (human !== undefined && human.labels.length > 0) {
    const who = human.annotator !== '' ? ` · ${oneLine(human.annotator)}` : '';
    const reviewed = human.source === 'review' ? ' · reviewed' : '';
    return { kind: 'human', text: `✓ ${human.labels.map((l) => oneLine(l)).join(', ')}${who}${reviewed}` };
  }
  const best = top[0];
  if (best !== undefined) return { kind: 'prediction', text: `${oneLine(best.label)} ${formatProbability(best.probability)}` };
  return undefined;
}
