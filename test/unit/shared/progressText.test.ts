import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, progressText } from '../../../src/shared/progressText';
import { formatProgress } from '../../../src/host/statusText';
import type { ProgressSnapshot } from '../../../src/shared/protocol';

const step = (p: Partial<ProgressSnapshot> & Pick<ProgressSnapshot, 'phase'>): ProgressSnapshot => ({ done: 0, total: 0, itemsPerSecond: 0, etaSeconds: -1, ...p });

test('bytes are named with a decimal unit, one decimal below 100', () => {
  assert.deepEqual([0, 980, 1000, 201_699, 12_400_000, 148_000_000, 1_234_000_000].map(formatBytes), ['0 B', '980 B', '1.0 KB', '202 KB', '12.4 MB', '148 MB', '1.2 GB']);
  assert.equal(formatBytes(Number.NaN), '?');
});

test('reading the dataset counts bytes, never as if they were items', () => {
  const text = progressText(step({ phase: 'loading', done: 12_400_000, total: 48_000_000, itemsPerSecond: 31_000_000, etaSeconds: 1.2 }));
  assert.equal(text, 'Reading dataset 12.4 MB of 48.0 MB · 31.0 MB/s · ETA 1s');
  // A small file read whole: no "201,699/201,699" that looks like a count of items.
  assert.equal(progressText(step({ phase: 'loading', done: 201_699, total: 201_699 })), 'Reading dataset 202 KB of 202 KB');
});

test('embedding counts items with their rate and the time left; a finished step has no ETA', () => {
  assert.equal(formatProgress(step({ phase: 'embedding', done: 4210, total: 10_000, itemsPerSecond: 85.4, etaSeconds: 92 })), 'Embedding 4,210/10,000 · 85/s · ETA 2m');
  assert.equal(progressText(step({ phase: 'embedding', done: 10_000, total: 10_000, etaSeconds: 0 })), 'Embedding 10,000/10,000');
});

test('a step with no count shows only its name', () => {
  assert.equal(progressText(step({ phase: 'training', done: 0, total: 1 })), 'Training…');
  assert.equal(progressText(step({ phase: 'loading-model' })), 'Loading model…');
  assert.equal(progressText(step({ phase: 'loading' })), 'Reading dataset…');
});
