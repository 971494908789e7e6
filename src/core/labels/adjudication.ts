/**
 * Adjudication: the items whose annotators disagree and that nobody has reviewed yet, for the review
 * queue's "disagreement" order. A reviewer settles one with a `review` event (source 'review'),
 * which the current-label rule (labelRule.ts) puts above every annotator's label, so the item then
 * leaves this list.
 */
import type { AnnotatorLabel } from './labelRule';
import type { CurrentLabel } from './state';

export interface Disagreement {
  readonly itemId: string;
  /** Each annotator's latest label, oldest first; at least two distinct label sets. */
  readonly annotators: readonly AnnotatorLabel[];
  /** The current label meanwhile: the latest label in the log (rule step 3). */
  readonly current: readonly string[];
  /** ISO time of the most recent annotator label on the item. */
  readonly time: string;
}

/**
 * Unreviewed disagreements, most recent first: by the time of the item's latest annotator label (the
 * events' clock, since after a merge the file order puts one branch's events wholly after the
 * other's); equal times keep the later-first order of the items' first appearance in the log.
 * Pure: pass `replay(file).state` or a LabelState's `labels`.
 */
export function disagreements(state: ReadonlyMap<string, CurrentLabel>): Disagreement[] {
  const found: Array<{ d: Disagreement; at: number; order: number }> = [];
  let order = 0;
  for (const current of state.values()) {
    order++;
    if (!current.disagree || current.decidedBy === 'review') continue;
    let time = '';
    let at = -Infinity;
    for (const vote of current.annotators) {
      const t = Date.parse(vote.event.time);
      if (t > at) {
        at = t;
        time = vote.event.time;
      }
    }
    found.push({ d: { itemId: current.itemId, annotators: current.annotators, current: current.labels, time }, at, order });
  }
  found.sort((x, y) => y.at - x.at || y.order - x.order);
  return found.map((f) => f.d);
}
