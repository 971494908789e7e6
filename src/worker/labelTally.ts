/**
 * The label counts the UI shows (labeled/total and items per label), kept up to date one event at
 * a time. `LabelingSession.counts()` and `progress()` scan every current label; at 50,000 items that
 * is too much to run on every keystroke, so they run once when a session starts and each applied
 * event then adjusts the figures by what changed for its one item.
 */
import type { LabelingSession } from '../core/session';
import type { Counts } from '../shared/protocol/domain';

/** What one item contributes to the counts. */
interface Contribution {
  readonly labeled: boolean;
  /** Count keys it adds 1 to (one class in single/binary mode, each label in multi mode). */
  readonly keys: readonly string[];
}

const NOTHING: Contribution = { labeled: false, keys: [] };

export class LabelTally {
  private readonly tallies: Record<string, number>;
  private labeled: number;
  private readonly total: number;

  constructor(
    private readonly session: LabelingSession,
    /** Events in the log, kept for diagnostics. */
    private events: number,
  ) {
    const progress = session.progress();
    this.tallies = session.counts();
    this.labeled = progress.labeled;
    this.total = progress.total;
  }

  get eventCount(): number {
    return this.events;
  }

  /** Call before applying an event to `itemId`; pass the result to `after` once it is applied. */
  before(itemId: string): Contribution {
    return this.contribution(itemId);
  }

  /** Applies the change one event made to its item's contribution. */
  after(itemId: string, previous: Contribution): void {
    this.events++;
    const next = this.contribution(itemId);
    if (previous.labeled) this.labeled--;
    if (next.labeled) this.labeled++;
    for (const key of previous.keys) this.tallies[key] = (this.tallies[key] ?? 0) - 1;
    for (const key of next.keys) this.tallies[key] = (this.tallies[key] ?? 0) + 1;
    // `counts()` lists every known class, with 0 for those not used yet; a new label adds one.
    for (const c of this.session.classMap.classes) this.tallies[c] ??= 0;
  }

  /**
   * Fewer than two labels in use means the session cannot train yet (training labels are a subset
   * of these), so the caller can skip the training-set scan behind `shouldRetrain` during a cold start.
   */
  get labelsInUse(): number {
    let n = 0;
    for (const key in this.tallies) if ((this.tallies[key] ?? 0) > 0) n++;
    return n;
  }

  counts(): Counts {
    return { labeled: this.labeled, total: this.total, counts: { ...this.tallies } };
  }

  /** The same rule as `LabelingSession.counts()` / `progress()`, for one item. */
  private contribution(itemId: string): Contribution {
    const s = this.session;
    if (s.rowOfItem(itemId) === undefined || !s.isLabeled(itemId)) return NOTHING;
    const labels = s.labelsOf(itemId);
    if (s.config.mode === 'multi') return { labeled: true, keys: [...labels] };
    const c = s.classMap.classes[s.classMap.classOf(labels)];
    return { labeled: true, keys: c === undefined ? [] : [c] };
  }
}
