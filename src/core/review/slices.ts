/**
 * Runs a long job a slice at a time, yielding to the event loop between slices, so the thread that
 * runs it (the extension host) keeps answering: each slice calls `step` until `sliceMs` has passed.
 * Free of timers itself: the caller passes how to yield (setImmediate in the host).
 */
export interface SliceOptions {
  /** Time budget of one slice (the longest block is about this plus one step). */
  readonly sliceMs: number;
  /** Lines `step` is asked for at a time. */
  readonly linesPerStep: number;
  readonly yieldNow: () => Promise<void>;
  /** Checked before each slice: true stops the job (a newer one replaced it, the document closed). */
  readonly cancelled?: () => boolean;
  readonly now?: () => number;
  /** Told each slice's duration (benchmarks). */
  readonly onSlice?: (ms: number) => void;
}

export interface SliceReport {
  /** False when cancelled before the job was done. */
  readonly done: boolean;
  readonly slices: number;
  /** The longest slice, in ms: the longest the thread was blocked. */
  readonly longestMs: number;
}

export async function runSliced(step: (maxLines: number) => boolean, options: SliceOptions): Promise<SliceReport> {
  const now = options.now ?? ((): number => performance.now());
  let done = false;
  let slices = 0;
  let longestMs = 0;
  while (!done) {
    if (options.cancelled?.() === true) return { done: false, slices, longestMs };
    const start = now();
    do done = step(options.linesPerStep);
    while (!done && now() - start < options.sliceMs);
    const ms = now() - start;
    longestMs = Math.max(longestMs, ms);
    options.onSlice?.(ms);
    slices++;
    if (!done) await options.yieldNow();
  }
  return { done, slices, longestMs };
}
