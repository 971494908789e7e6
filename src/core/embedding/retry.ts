/**
 * When and how long to wait before retrying a request to an embedding server: 429 and 5xx are
 * retried with exponential backoff and full jitter ("Exponential Backoff And Jitter", AWS
 * Architecture Blog), and a `Retry-After` header (seconds or an HTTP date) is honoured instead.
 * Pure functions plus an abortable sleep, so the policy is testable without a clock.
 */
import { CancelledError } from '../errors';

export interface BackoffOptions {
  /** The ceiling of the first retry's delay; doubles each attempt. */
  readonly initialDelayMs: number;
  /** No computed delay exceeds this. */
  readonly maxDelayMs: number;
  /** A server's Retry-After above this is capped, so one bad header cannot stall a run for hours. */
  readonly maxRetryAfterMs: number;
}

/** 408 (request timeout), 429 (rate limited) and every 5xx are worth another try; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Milliseconds a `Retry-After` value asks for, or undefined when absent or unreadable.
 * `value` is delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT").
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The delay before retry number `attempt` (0 for the first retry): the server's Retry-After when
 * it gave one (capped), else a uniformly random delay up to initial * 2^attempt (capped).
 * `random` returns [0, 1), so a test can pin the jitter.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with CancelledError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
