/**
 * The learning curve: the out-of-fold accuracy and macro-F1 against the number of labels, with the
 * accuracy's Wilson 95% band. Chart.js with only the parts a line chart on linear axes needs
 * registered (and the Filler for the band), so esbuild drops the rest. Colors come from the VS Code
 * theme's chart variables and follow theme changes.
 *
 * Honest by construction: a point measured on fewer than MIN_TRUSTED_EVALUATION_ITEMS items is not
 * drawn at all (until one is, the section says how many items there are to score, and why), and
 * the lines are straight segments between measured points (tension 0), never a smoothed curve.
 *
 * The section is a <details>: collapsed at first in a narrow panel (the item needs the room),
 * expanded by `reveal()` (the Show Learning Curve command). It carries `data-points` and
 * `data-band` (what Chart.js was given to draw) for tests and accessibility tools.
 */
// The webview is bundled by esbuild for the browser, but the root tsconfig checks it as Node16
// CommonJS, where an ESM-only package's import is flagged (TS1479). The types still resolve.
// @ts-expect-error TS1479: chart.js is ESM; esbuild bundles it, nothing here runs as CommonJS.
import { Chart, Filler, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import { describeInterval, describeScored, itemsToScore, MIN_TRUSTED_EVALUATION_ITEMS, WHY_ITEMS_TO_SCORE, type CurvePoint } from '../src/shared/protocol';
import { el } from './dom';

/** Same breakpoint as the single-column layout in styles.css. */
const NARROW = '(max-width: 700px)';
const HIGHLIGHT_MS = 2000;
/** Datasets: the two lines, then the band's lower and upper edges (the upper one fills down to the lower). */
const ACCURACY = 0;
const MACRO_F1 = 1;
const BAND_LOW = 2;
const BAND_HIGH = 3;

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);

function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

interface Palette {
  readonly accuracy: string;
  readonly macroF1: string;
  readonly text: string;
  readonly grid: string;
}

function palette(): Palette {
  return {
    accuracy: themeColor('--vscode-charts-blue', '#3794ff'),
    macroF1: themeColor('--vscode-charts-orange', '#d18616'),
    text: themeColor('--vscode-foreground', '#cccccc'),
    grid: themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
  };
}

/** A theme color at 20% opacity, for the band. The canvas normalizes any CSS color to hex or rgba. */
function translucent(color: string): string {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return 'rgba(55, 148, 255, 0.2)';
  ctx.fillStyle = '#3794ff';
  ctx.fillStyle = color;
  const normalized = String(ctx.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(normalized);
  const rgb = hex ? hex.slice(1).map((h) => parseInt(h, 16)) : (normalized.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const [r = 55, g = 148, b = 255] = rgb;
  return `rgba(${r}, ${g}, ${b}, 0.2)`;
}

type XY = { x: number; y: number };

export class LearningCurveChart {
  readonly element: HTMLDetailsElement;
  private readonly canvas = el('canvas', { attrs: { 'aria-label': 'Learning curve: accuracy and macro-F1 against labels', role: 'img' } });
  private readonly empty = el('p', { className: 'al-muted', attrs: { 'data-testid': 'chart-empty' }, text: 'The curve appears after the first retrain.' });
  private chart: Chart<'line', XY[]> | null = null;
  private lastKey = '';
  /** The points drawn (those on enough items), for the tooltip. */
  private drawn: readonly CurvePoint[] = [];
  private highlightTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.element = el('details', { className: 'al-chart', attrs: { 'data-testid': 'chart' } }, [
      el('summary', {}, [el('h3', { text: 'Learning curve' })]),
      el('div', { className: 'al-chart-box' }, [this.canvas]),
      this.empty,
    ]);
    this.element.open = !window.matchMedia(NARROW).matches;
    // VS Code swaps the theme by changing the body class; repaint with the new variables.
    new MutationObserver(() => this.recolor()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** Expands the section, scrolls it into view and highlights it for a moment. */
  reveal(): void {
    this.element.open = true;
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.element.scrollIntoView({ block: 'nearest', behavior: reduced ? 'auto' : 'smooth' });
    this.element.classList.remove('al-highlight');
    // Restart the CSS animation when the command runs twice in a row.
    void this.element.offsetWidth;
    this.element.classList.add('al-highlight');
    clearTimeout(this.highlightTimer);
    this.highlightTimer = setTimeout(() => this.element.classList.remove('al-highlight'), HIGHLIGHT_MS);
  }

  /** Number of points drawn (Chart.js draws on a canvas). */
  get pointCount(): number {
    return this.chart?.data.datasets[ACCURACY]?.data.length ?? 0;
  }

  /**
   * `curve` is every measured point; `evaluated` is how many evaluation items the newest version
   * has (what "n of 20 items to score" counts before any point can be drawn).
   */
  update(curve: readonly CurvePoint[], evaluated?: number): void {
    const key = `${evaluated ?? ''}/${curve.map((p) => `${p.labels}:${p.accuracy}:${p.macroF1}:${p.evaluated}:${p.low}:${p.high}`).join('|')}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.drawn = curve.filter((p) => p.evaluated >= MIN_TRUSTED_EVALUATION_ITEMS);
    this.paintEmpty(curve, evaluated);
    const series = (value: (p: CurvePoint) => number): XY[] => this.drawn.map((p) => ({ x: p.labels, y: value(p) }));
    const data = [series((p) => p.accuracy), series((p) => p.macroF1), series((p) => p.low), series((p) => p.high)];
    this.element.dataset.points = String(this.drawn.length);
    this.element.dataset.band = String(this.drawn.length > 0);
    if (this.drawn.length === 0 && !this.chart) return;
    if (this.chart) {
      data.forEach((d, i) => (this.chart!.data.datasets[i]!.data = d));
      this.chart.update('none');
      return;
    }
    const colors = palette();
    const line = { pointRadius: 3, tension: 0, borderWidth: 2 };
    const edge = { pointRadius: 0, pointHitRadius: 0, borderWidth: 0, tension: 0 };
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'Accuracy', data: data[ACCURACY]!, borderColor: colors.accuracy, backgroundColor: colors.accuracy, ...line },
          { label: 'Macro-F1', data: data[MACRO_F1]!, borderColor: colors.macroF1, backgroundColor: colors.macroF1, ...line },
          { label: 'Accuracy 95% band (low)', data: data[BAND_LOW]!, borderColor: 'transparent', backgroundColor: 'transparent', fill: false, ...edge },
          { label: 'Accuracy 95% band', data: data[BAND_HIGH]!, borderColor: 'transparent', backgroundColor: translucent(colors.accuracy), fill: '-1', ...edge },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'Labels', color: colors.text }, ticks: { color: colors.text, precision: 0 }, grid: { color: colors.grid } },
          y: { type: 'linear', min: 0, max: 1, ticks: { color: colors.text, format: { style: 'percent' } }, grid: { color: colors.grid } },
        },
        plugins: {
          legend: { labels: { color: colors.text, boxWidth: 12, filter: (item: { datasetIndex?: number }) => item.datasetIndex !== BAND_LOW } },
          tooltip: {
            enabled: true,
            filter: (item: { datasetIndex: number }) => item.datasetIndex === ACCURACY || item.datasetIndex === MACRO_F1,
            callbacks: { footer: (items: { dataIndex: number }[]) => this.tooltipFooter(items[0]?.dataIndex) },
          },
        },
      },
    });
    this.chart.update('none');
  }

  /** Before any point can be drawn: how many items there are to score, and why only those. */
  private paintEmpty(curve: readonly CurvePoint[], evaluated: number | undefined): void {
    this.empty.hidden = this.drawn.length > 0;
    if (this.drawn.length > 0) return;
    const newest = evaluated ?? curve.at(-1)?.evaluated;
    this.empty.textContent = newest === undefined ? 'The curve appears after the first retrain.' : `${itemsToScore(newest)}. ${WHY_ITEMS_TO_SCORE}`;
  }

  private tooltipFooter(index: number | undefined): string {
    const p = index === undefined ? undefined : this.drawn[index];
    if (p === undefined) return '';
    return `Accuracy ${describeInterval(p.low, p.high)}, ${describeScored(p.evaluated)} out of fold`;
  }

  private recolor(): void {
    if (!this.chart) return;
    const colors = palette();
    const datasets = this.chart.data.datasets;
    const accuracy = datasets[ACCURACY]!;
    const macroF1 = datasets[MACRO_F1]!;
    accuracy.borderColor = accuracy.backgroundColor = colors.accuracy;
    macroF1.borderColor = macroF1.backgroundColor = colors.macroF1;
    datasets[BAND_HIGH]!.backgroundColor = translucent(colors.accuracy);
    const scales = this.chart.options.scales ?? {};
    for (const axis of [scales.x, scales.y]) {
      if (!axis) continue;
      if (axis.ticks) axis.ticks.color = colors.text;
      if (axis.grid) axis.grid.color = colors.grid;
    }
    this.chart.update('none');
  }
}
