/**
 * The learning curve: accuracy and macro-F1 on the evaluation items against the number of labels.
 * Chart.js with only the parts a line chart on linear axes needs registered, so esbuild drops the
 * rest. Colors come from the VS Code theme's chart variables and follow theme changes. Points
 * measured on too few held-out items are drawn hollow, and their tooltip says why.
 *
 * The section is a <details>: collapsed at first in a narrow panel (the item needs the room),
 * expanded by `reveal()` (the Show Learning Curve command).
 */
// The webview is bundled by esbuild for the browser, but the root tsconfig checks it as Node16
// CommonJS, where an ESM-only package's import is flagged (TS1479). The types still resolve.
// @ts-expect-error TS1479: chart.js is ESM; esbuild bundles it, nothing here runs as CommonJS.
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import { describeHeldOut, isEvaluationTrusted, TOO_FEW_EVALUATION_ITEMS, type CurvePoint } from '../src/shared/protocol';
import { el } from './dom';

/** Same breakpoint as the single-column layout in styles.css. */
const NARROW = '(max-width: 700px)';
const HIGHLIGHT_MS = 2000;

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

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

export class LearningCurveChart {
  readonly element: HTMLDetailsElement;
  private readonly canvas = el('canvas', { attrs: { 'aria-label': 'Learning curve: accuracy and macro-F1 against labels', role: 'img' } });
  private readonly empty = el('p', { className: 'al-muted', text: 'The curve appears after the first retrain.' });
  private chart: Chart<'line', { x: number; y: number }[]> | null = null;
  private lastKey = '';
  /** Held-out items behind each point, for the tooltip and the hollow points. */
  private evaluated: readonly (number | undefined)[] = [];
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

  /** Number of points drawn (tests read it; Chart.js draws on a canvas). */
  get pointCount(): number {
    return this.chart?.data.datasets[0]?.data.length ?? 0;
  }

  update(curve: readonly CurvePoint[]): void {
    const key = curve.map((p) => `${p.labels}:${p.accuracy}:${p.macroF1}:${p.evaluated ?? ''}`).join('|');
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.empty.hidden = curve.length > 0;
    this.evaluated = curve.map((p) => p.evaluated);
    const accuracy = curve.map((p) => ({ x: p.labels, y: p.accuracy }));
    const macroF1 = curve.map((p) => ({ x: p.labels, y: p.macroF1 }));
    if (this.chart) {
      this.chart.data.datasets[0].data = accuracy;
      this.chart.data.datasets[1].data = macroF1;
      this.paintPoints(palette());
      this.chart.update('none');
      return;
    }
    const colors = palette();
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'Accuracy', data: accuracy, borderColor: colors.accuracy, backgroundColor: colors.accuracy, pointRadius: 2, tension: 0.2 },
          { label: 'Macro-F1', data: macroF1, borderColor: colors.macroF1, backgroundColor: colors.macroF1, pointRadius: 2, tension: 0.2 },
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
          legend: { labels: { color: colors.text, boxWidth: 12 } },
          tooltip: { enabled: true, callbacks: { footer: (items: { dataIndex: number }[]) => this.tooltipFooter(items[0]?.dataIndex) } },
        },
      },
    });
    this.paintPoints(colors);
    this.chart.update('none');
  }

  private tooltipFooter(index: number | undefined): string {
    const n = index === undefined ? undefined : this.evaluated[index];
    if (n === undefined) return '';
    return isEvaluationTrusted(n) ? describeHeldOut(n) : `${describeHeldOut(n)}: ${TOO_FEW_EVALUATION_ITEMS}`;
  }

  /** Filled points where the held-out set is large enough to trust, hollow where it is not. */
  private paintPoints(colors: Palette): void {
    if (!this.chart) return;
    const [accuracy, macroF1] = this.chart.data.datasets;
    const fill = (color: string): string[] => this.evaluated.map((n) => (isEvaluationTrusted(n) ? color : 'transparent'));
    accuracy.pointBackgroundColor = fill(colors.accuracy);
    macroF1.pointBackgroundColor = fill(colors.macroF1);
  }

  private recolor(): void {
    if (!this.chart) return;
    const colors = palette();
    const [accuracy, macroF1] = this.chart.data.datasets;
    accuracy.borderColor = accuracy.backgroundColor = colors.accuracy;
    macroF1.borderColor = macroF1.backgroundColor = colors.macroF1;
    this.paintPoints(colors);
    const scales = this.chart.options.scales ?? {};
    for (const axis of [scales.x, scales.y]) {
      if (!axis) continue;
      if (axis.ticks) axis.ticks.color = colors.text;
      if (axis.grid) axis.grid.color = colors.grid;
    }
    this.chart.update('none');
  }
}
