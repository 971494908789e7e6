/**
 * The scale figures as data, and their plot. Every `npm run bench:scale` section records what it
 * measured in docs/scale-figures.json (one entry per section, metric and pool size, with the date
 * and the load average of that run), and the plot docs/scale-growth.svg is drawn from that file:
 * for each metric, the cost per item at each size divided by the cost per item at the smallest
 * size. A flat line at 1 is linear growth; above 1 the cost grows faster than the pool, below 1
 * slower. Only ratios within one run are plotted, so a noisy machine shifts a line, not its shape
 * relative to its own first point.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';

const DOCS = resolve(__dirname, '..', '..', 'docs');
export const FIGURES_FILE = resolve(DOCS, 'scale-figures.json');
export const PLOT_FILE = resolve(DOCS, 'scale-growth.svg');

/**
 * How a metric relates to the pool: `total` is the cost of the whole step (seconds for N items),
 * `perItem` a cost per item (µs per item), `rate` a throughput (items per second: higher is cheaper).
 */
export type MetricKind = 'total' | 'perItem' | 'rate';

export interface Figure {
  readonly section: string;
  readonly metric: string;
  readonly unit: string;
  readonly kind: MetricKind;
  readonly size: number;
  readonly value: number;
  readonly date: string;
  readonly load: number;
}

export function readFigures(file = FIGURES_FILE): Figure[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { figures?: Figure[] };
  return Array.isArray(parsed.figures) ? parsed.figures : [];
}

/** Replaces the section's figures for these metrics with this run's (other sections are kept). */
export function recordFigures(
  section: string,
  rows: readonly { size: number; values: Readonly<Record<string, number>> }[],
  metrics: readonly { key: string; unit: string; kind: MetricKind }[],
  file = FIGURES_FILE,
): Figure[] {
  const date = new Date().toISOString().slice(0, 10);
  const load = Number(loadavg()[0].toFixed(1));
  const fresh: Figure[] = [];
  for (const m of metrics) {
    for (const row of rows) {
      const value = row.values[m.key];
      if (value === undefined || !Number.isFinite(value)) continue;
      fresh.push({ section, metric: m.key, unit: m.unit, kind: m.kind, size: row.size, value, date, load });
    }
  }
  const replaced = new Set(fresh.map((f) => `${f.section}\u0000${f.metric}`));
  const kept = readFigures(file).filter((f) => !replaced.has(`${f.section}\u0000${f.metric}`));
  const figures = [...kept, ...fresh].sort((a, b) => a.section.localeCompare(b.section) || a.metric.localeCompare(b.metric) || a.size - b.size);
  writeFileSync(file, `${JSON.stringify({ note: 'Written by npm run bench:scale; plotted in docs/scale-growth.svg.', figures }, null, 1)}\n`);
  return figures;
}

/** Cost per item at each size relative to the series' smallest size (1 = linear growth). */
export function growthPoints(figures: readonly Figure[]): { series: string; size: number; growth: number }[] {
  const bySeries = new Map<string, Figure[]>();
  for (const f of figures) {
    const key = `${f.section}: ${f.metric}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), f]);
  }
  const out: { series: string; size: number; growth: number }[] = [];
  for (const [series, list] of bySeries) {
    const sorted = [...list].sort((a, b) => a.size - b.size);
    const first = sorted[0];
    if (first === undefined || sorted.length < 2) continue;
    const perItem = (f: Figure): number => (f.kind === 'total' ? f.value / f.size : f.kind === 'rate' ? 1 / f.value : f.value);
    const base = perItem(first);
    if (!(base > 0)) continue;
    for (const f of sorted) out.push({ series, size: f.size, growth: perItem(f) / base });
  }
  return out;
}

/** Draws docs/scale-growth.svg from the recorded figures (vega-lite, rendered in Node). */
export async function renderGrowthPlot(figures = readFigures(), file = PLOT_FILE): Promise<boolean> {
  const points = growthPoints(figures);
  if (points.length === 0) return false;
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const linear = sizes.map((size) => ({ size, growth: 1 }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Cost per item against pool size, relative to the smallest size', subtitle: '1 = linear growth (dashed); each line is one run of npm run bench:scale' },
    width: 520,
    height: 300,
    layer: [
      {
        data: { values: linear },
        mark: { type: 'line', strokeDash: [5, 4], color: '#888' },
        encoding: { x: { field: 'size', type: 'quantitative' }, y: { field: 'growth', type: 'quantitative' } },
      },
      {
        data: { values: points },
        mark: { type: 'line', point: { size: 30 } },
        encoding: {
          x: { field: 'size', type: 'quantitative', title: 'items in the pool', scale: { type: 'log' }, axis: { values: sizes, format: '~s' } },
          y: { field: 'growth', type: 'quantitative', title: 'cost per item / cost per item at the smallest size', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'right', labelLimit: 320 } },
        },
      },
    ],
    config: { background: 'white' },
  };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  writeFileSync(file, svg);
  return true;
}
