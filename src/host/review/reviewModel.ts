/**
 * What the editor knows about one dataset's items, for decorations, hovers and diagnostics: a
 * cache of what the label log and the engine said, never a second owner. Two sources, one at a
 * time:
 * - while a session owns the file's log, the worker's `reviewData` messages (labels, top-3
 *   predictions, suspects), which replace the replayed labels when they carry `itemIds`;
 * - otherwise the label log replayed in the host (labels only: no model runs).
 * Free of the `vscode` module, so it is unit-tested in plain Node.
 */
import type { LabelEvent } from '../../core/labels/events';
import type { ReplayResult } from '../../core/labels/replay';
import type { HumanLabel, ItemReview, PredictedLabel, Suspect } from '../../core/review/itemView';
import { humanLabelOf } from '../../core/review/reviewEvents';
import type { ReviewDataMessage } from '../../shared/protocol/engine';

interface Predictions {
  readonly version: number;
  readonly classes: readonly string[];
  readonly k: number;
  readonly top: Int16Array;
  readonly probs: Float32Array;
}

export class ReviewModel {
  private humans = new Map<string, HumanLabel>();
  private suspectsById = new Map<string, Suspect>();
  private ids: readonly string[] = [];
  private rowOf = new Map<string, number>();
  private predictions: Predictions | undefined;
  private fromEngine = false;
  /** Bumped on every change; views compare it to know whether to redraw. */
  version = 0;

  /** True once the engine has published: the replayed log no longer decides. */
  get engineOwned(): boolean {
    return this.fromEngine;
  }

  get modelVersion(): number {
    return this.predictions?.version ?? 0;
  }

  get suspects(): ReadonlyMap<string, Suspect> {
    return this.suspectsById;
  }

  /** The label log replayed (no session, or before the engine's first publication). */
  applyReplay(replayed: Pick<ReplayResult, 'state'>): void {
    if (this.fromEngine) return;
    const humans = new Map<string, HumanLabel>();
    for (const [id, current] of replayed.state) {
      const h = humanLabelOf(current);
      if (h !== undefined) humans.set(id, h);
    }
    this.humans = humans;
    this.version++;
  }

  /** The engine's publication. */
  applyData(m: ReviewDataMessage): void {
    if (m.itemIds !== undefined) {
      this.ids = m.itemIds;
      this.rowOf = new Map(m.itemIds.map((id, row) => [id, row]));
      this.humans = new Map();
      this.fromEngine = true;
      // Predictions are by row: new rows (a reloaded file) without their predictions have none yet.
      if (m.predictions === undefined) this.predictions = undefined;
    }
    for (const l of m.labels) {
      const id = this.ids[l.row];
      if (id === undefined) continue;
      if (l.labels.length === 0) this.humans.delete(id);
      else this.humans.set(id, { labels: l.labels, annotator: l.annotator, source: l.source, time: l.time, ...(l.score !== undefined ? { reviewedScore: l.score } : {}) });
    }
    if (m.predictions !== undefined) this.predictions = m.predictions;
    if (m.suspects !== undefined) {
      const next = new Map<string, Suspect>();
      for (const s of m.suspects) {
        const id = this.ids[s.row];
        if (id !== undefined) next.set(id, { given: s.given, suggested: s.suggested, score: s.score, suggestedProb: s.suggestedProb });
      }
      this.suspectsById = next;
    }
    this.version++;
  }

  /** The session ended: what stays true is the log, replayed again by the caller. */
  detachEngine(): void {
    this.fromEngine = false;
    this.predictions = undefined;
    this.suspectsById = new Map();
    this.ids = [];
    this.rowOf = new Map();
    this.version++;
  }

  /** A write the host made itself (no session): shown at once, before the log is replayed again. */
  applyWritten(events: readonly LabelEvent[]): void {
    for (const e of events) {
      if (e.type !== 'label') continue;
      this.humans.set(e.itemId, { labels: e.labels, annotator: e.annotator, source: e.source, time: e.time, ...(e.source === 'review' && e.score !== undefined ? { reviewedScore: e.score } : {}) });
    }
    this.version++;
  }

  human(itemId: string): HumanLabel | undefined {
    return this.humans.get(itemId);
  }

  top(itemId: string): PredictedLabel[] {
    const p = this.predictions;
    const row = this.rowOf.get(itemId);
    if (p === undefined || row === undefined) return [];
    const out: PredictedLabel[] = [];
    for (let j = 0; j < p.k; j++) {
      const c = p.top[row * p.k + j] as number;
      if (c >= 0 && c < p.classes.length) out.push({ label: p.classes[c] as string, probability: p.probs[row * p.k + j] as number });
    }
    return out;
  }

  review(itemId: string): ItemReview {
    const human = this.humans.get(itemId);
    const suspect = this.suspectsById.get(itemId);
    return { ...(human !== undefined ? { human } : {}), top: this.top(itemId), ...(suspect !== undefined ? { suspect } : {}) };
  }

  /** Label names known for the file: the model's classes, then any label seen. */
  knownLabels(): string[] {
    const out = new Set<string>(this.predictions?.classes ?? []);
    for (const h of this.humans.values()) for (const l of h.labels) out.add(l);
    return [...out];
  }
}
