import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { growthPoints, readFigures, recordFigures, renderGrowthPlot } from '../../../bench/scale/figures';

test('scale figures: cost per item relative to the smallest size, for totals, per-item costs and rates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'al-figures-'));
  try {
    const file = join(dir, 'figures.json');
    const rows = [
      { size: 100, values: { seconds: 1, perItem: 5, rate: 1000 } },
      { size: 1000, values: { seconds: 20, perItem: 5, rate: 500 } },
    ];
    recordFigures(
      'step',
      rows,
      [
        { key: 'seconds', unit: 's', kind: 'total' },
        { key: 'perItem', unit: 'µs', kind: 'perItem' },
        { key: 'rate', unit: 'items/s', kind: 'rate' },
      ],
      file,
    );
    const growth = new Map(growthPoints(readFigures(file)).filter((p) => p.size === 1000).map((p) => [p.series, p.growth]));
    assert.equal(growth.get('step: seconds'), 2, '20x the time for 10x the items is twice the cost per item');
    assert.equal(growth.get('step: perItem'), 1, 'a flat per-item cost is linear growth');
    assert.equal(growth.get('step: rate'), 2, 'half the throughput is twice the cost per item');

    // A later run of another section keeps this one; a rerun of the same metric replaces it.
    recordFigures('other', [{ size: 100, values: { x: 1 } }, { size: 200, values: { x: 2 } }], [{ key: 'x', unit: 's', kind: 'total' }], file);
    recordFigures('step', [{ size: 100, values: { seconds: 1 } }, { size: 1000, values: { seconds: 10 } }], [{ key: 'seconds', unit: 's', kind: 'total' }], file);
    const figures = readFigures(file);
    assert.equal(figures.filter((f) => f.section === 'step' && f.metric === 'seconds').length, 2);
    assert.equal(figures.find((f) => f.metric === 'seconds' && f.size === 1000)?.value, 10);
    assert.equal(figures.filter((f) => f.section === 'other').length, 2);
    assert.equal(figures.filter((f) => f.metric === 'perItem').length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scale figures: the plot is an SVG with one line per metric, drawn only from two sizes up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'al-figures-'));
  try {
    const svg = join(dir, 'plot.svg');
    const base = { section: 's', unit: 's', kind: 'total' as const, date: '2026-12-03', load: 1 };
    assert.equal(await renderGrowthPlot([{ ...base, metric: 'one', size: 100, value: 1 }], svg), false, 'a single size has no growth');
    const drawn = await renderGrowthPlot(
      [
        { ...base, metric: 'a', size: 100, value: 1 },
        { ...base, metric: 'a', size: 1000, value: 12 },
        { ...base, metric: 'b', size: 100, value: 1 },
        { ...base, metric: 'b', size: 1000, value: 9 },
      ],
      svg,
    );
    assert.equal(drawn, true);
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /^<svg/);
    assert.match(text, /s: a/);
    assert.match(text, /s: b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
