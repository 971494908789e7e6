/**
 * The engine thread runs below the editor's priority. Embedding a large pool and retraining on it
 * keep a core busy for minutes, and on a laptop's two or four cores the webview, the extension
 * host's main thread and the editor itself must get the CPU first: the next item is shown from the
 * page's own queue, so a keypress never waits for this thread, but it can wait for a core.
 *
 * Linux gives each thread its own nice value (setpriority on the thread id), inherited by threads it
 * starts later (onnxruntime's pool). Elsewhere a priority applies to the whole process, which would
 * slow the editor too, so nothing is changed there.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How much nicer than the extension host the engine thread runs. */
export const ENGINE_NICE_STEP = 10;
const NICEST = 19;

/**
 * The step to use: ENGINE_NICE_STEP, or the environment's `ACTIVE_LABEL_ENGINE_NICE` (an integer
 * from 0, which leaves the priority alone, to 19), which exists to measure the difference
 * (docs/benchmarks.md, "UI latency on items-1000000.jsonl").
 */
export function enginePriorityStep(fromEnvironment: string | undefined): number {
  const n = fromEnvironment === undefined || fromEnvironment.trim() === '' ? NaN : Number(fromEnvironment);
  return Number.isInteger(n) && n >= 0 && n <= NICEST ? n : ENGINE_NICE_STEP;
}

/** The calling thread's id on Linux, or undefined. */
export function threadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lowers the calling thread's priority by ENGINE_NICE_STEP (capped at the nicest value). Returns the
 * new nice value, or undefined when the platform cannot do it for one thread or refused.
 */
export function lowerThreadPriority(step = ENGINE_NICE_STEP): number | undefined {
  const tid = threadId();
  if (tid === undefined || step === 0) return undefined;
  try {
    const nice = Math.min(NICEST, getPriority(tid) + step);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
