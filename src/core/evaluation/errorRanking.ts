/**
 * A review order over EVERY labeled item, most likely mislabeled first, from out-of-fold
 * probabilities (see ./labelErrors for how those are made and for the confident-learning flag).
 *
 * `findLabelErrors` keeps only the items confident learning flags (P(given) below its class's
 * threshold and some other class at or above its own); a reviewer who works down a list wants the
 * items after those too, so this ranks all of them:
 * - `score`: how strongly the model doubts the given label. `self-confidence` is cleanlab's
 *   1 - P(given); `margin` is the normalized margin (P(best other) - P(given) + 1) / 2, which also
 *   counts how much the model believes in the alternative. Both lie in [0, 1].
 * - `order`: `flagged-first` puts the confident-learning flagged items ahead of the rest, each part
 *   sorted by score (cleanlab's `find_label_issues` list, extended by the unflagged items);
 *   `merged` sorts everything by score alone and keeps `flagged` as a column.
 * The suggested label is always the most probable class other than the given one.
 */
import { perClassThresholds } from './labelErrors';
import type { Matrix } from '../types';

export type ErrorScore = 'self-confidence' | 'margin';
export type ErrorOrder = 'flagged-first' | 'merged';

export interface ErrorRankingOptions {
  readonly score: ErrorScore;
  readonly order: ErrorOrder;
}

export const defaultErrorRankingOptions: Readonly<ErrorRankingOptions> = { score: 'margin', order: 'merged' };

export interface RankedLabelError {
  /** Row in the inputs. */
  readonly row: number;
  readonly given: number;
  /** The most probable class other than `given`. */
  readonly suggested: number;
  /** In [0, 1]; higher = more likely mislabeled (see `ErrorScore`). */
  readonly score: number;
  readonly givenProb: number;
  readonly suggestedProb: number;
  /** Confident learning flags it (P(given) < t_given and P(suggested) >= t_suggested). */
  readonly flagged: boolean;
}

/** Every row of `y`, ranked most likely mislabeled first; ties keep row order. */
export function rankLabelErrors(probs: Matrix, y: Int32Array, options: Partial<ErrorRankingOptions> = {}): RankedLabelError[] {
  const { score: scoreKind, order } = { ...defaultErrorRankingOptions, ...options };
  if (probs.rows !== y.length) throw new RangeError(`probabilities have ${probs.rows} rows but y has ${y.length}`);
  const k = probs.cols;
  if (k < 2) throw new RangeError('ranking label errors needs at least two classes');
  const t = perClassThresholds(probs, y);
  const out: RankedLabelError[] = [];
  for (let i = 0; i < y.length; i++) {
    const given = y[i] as number;
    if (given < 0 || given >= k) throw new RangeError(`label ${given} of row ${i} is outside 0..${k - 1}`);
    const row = probs.data.subarray(i * k, (i + 1) * k);
    const givenProb = row[given] as number;
    let suggested = given === 0 ? 1 : 0;
    for (let j = 0; j < k; j++) if (j !== given && (row[j] as number) > (row[suggested] as number)) suggested = j;
    const suggestedProb = row[suggested] as number;
    // Flagged when the given class is below its threshold and SOME other class reaches its own
    // (not necessarily the most probable one, as in cleanlab's confident joint).
    let flagged = false;
    if (givenProb < (t[given] as number)) {
      for (let j = 0; j < k && !flagged; j++) flagged = j !== given && (row[j] as number) >= (t[j] as number);
    }
    const score = scoreKind === 'self-confidence' ? 1 - givenProb : (suggestedProb - givenProb + 1) / 2;
    out.push({ row: i, given, suggested, score, givenProb, suggestedProb, flagged });
  }
  return out.sort((a, b) => (order === 'flagged-first' ? Number(b.flagged) - Number(a.flagged) : 0) || b.score - a.score || a.row - b.row);
}
