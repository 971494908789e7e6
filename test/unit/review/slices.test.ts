import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSliced } from '../../../src/core/review/slices';

describe('runSliced', () => {
  /** A job of `steps` steps, each taking 3 ms of a fake clock; records the order of steps and yields. */
  function job(steps: number): { step: (n: number) => boolean; now: () => number; log: string[] } {
    let clock = 0;
    let left = steps;
    const log: string[] = [];
    return {
      now: () => clock,
      log,
      step: (n) => {
        assert.equal(n, 100);
        clock += 3;
        log.push('step');
        return --left === 0;
      },
    };
  }

  it('runs steps until the slice budget is spent, then yields, until the job is done', async () => {
    const j = job(10);
    const report = await runSliced(j.step, { sliceMs: 8, linesPerStep: 100, now: j.now, yieldNow: async () => void j.log.push('yield') });
    assert.equal(report.done, true);
    // 3 steps reach 9 ms >= 8 ms: slices of 3, 3, 3 and 1 steps, a yield between slices only.
    assert.deepEqual(j.log.join(' '), 'step step step yield step step step yield step step step yield step');
    assert.equal(report.slices, 4);
    assert.equal(report.longestMs, 9);
  });

  it('stops before the next slice once cancelled', async () => {
    const j = job(10);
    let yields = 0;
    const report = await runSliced(j.step, { sliceMs: 5, linesPerStep: 100, now: j.now, yieldNow: async () => void yields++, cancelled: () => yields >= 2 });
    assert.equal(report.done, false);
    assert.equal(j.log.length, 4, 'two slices of two steps ran');
  });
});
