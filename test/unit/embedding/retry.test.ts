import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, sleep } from '../../../src/core/embedding/retry';
import { CancelledError } from '../../../src/core/errors';

const policy = { initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    assert.deepEqual(
      [400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504, 599].filter(isRetryableStatus),
      [408, 429, 500, 502, 503, 504, 599],
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 1.5 ', now), 1_500);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('backs off exponentially with full jitter, capped, and prefers the server\'s Retry-After (capped too)', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, undefined, policy, () => 0.999999));
    assert.deepEqual(ceilings, [499, 999, 1999, 3999, 7999, 7999, 7999]);
    assert.equal(retryDelayMs(3, undefined, policy, () => 0), 0);
    assert.equal(retryDelayMs(0, 2_000, policy, () => 0.9), 2_000);
    assert.equal(retryDelayMs(0, 3_600_000, policy), 60_000);
  });

  it('sleeps until cancelled', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(pending, CancelledError);
    await assert.rejects(sleep(10, AbortSignal.abort()), CancelledError);
    await sleep(0);
  });
});
