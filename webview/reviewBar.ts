/**
 * The review queue's bar above the card. While labeling: one button that switches to review mode,
 * with its key. While reviewing: the order and the filters (native selects and inputs, so they work
 * with Tab, arrows and screen readers), the progress (reviewed, to review, errors fixed) and the
 * way back to labeling. A change is reported once, as the whole new request.
 */
import { LABEL_SOURCES, REVIEW_ORDER_INFO, REVIEW_ORDER_LIST } from '../src/shared/protocol';
import type { InitMessage, ReviewFilters, ReviewOrderId, ReviewProgress, ReviewRequest } from '../src/shared/protocol';
import { button, el, formatInt, kbd, replaceChildren } from './dom';
import { ariaKeyShortcut, keyLabel } from './keyboard';

export interface ReviewBarView {
  readonly config: InitMessage | null;
  readonly request: ReviewRequest | null;
  readonly progress: ReviewProgress | null;
}

export interface ReviewBarCallbacks {
  /** The order or a filter changed: serve this request. */
  readonly change: (request: ReviewRequest) => void;
  /** The mode button: into review mode, or back to labeling. */
  readonly toggle: () => void;
  /** Escape in a control: give the keys back to the card. */
  readonly done: () => void;
}

const ANY = '';

export class ReviewBar {
  readonly element = el('div', { className: 'al-review-bar', attrs: { 'data-testid': 'review-bar', role: 'region', 'aria-label': 'Review queue' } });
  private shownKey: string | undefined;

  constructor(private readonly callbacks: ReviewBarCallbacks) {}

  render(view: ReviewBarView): void {
    // Rebuilt only when what it shows changed, so a control keeps its focus while the user works.
    const key = JSON.stringify([view.request, view.progress, view.config?.labels, view.config?.keymap.review]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    // A change made from a control (an arrow key in the order select) rebuilds the bar: the new
    // control takes the focus back, so the keyboard user goes on where they were.
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && this.element.contains(active) ? active.getAttribute('data-testid') : null;
    this.build(view);
    if (focused !== null) this.element.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus({ preventScroll: true });
  }

  private build(view: ReviewBarView): void {
    const reviewKey = view.config?.keymap.review ?? 'r';
    const toggle = button('', this.callbacks.toggle, { className: 'al-secondary', attrs: { 'data-testid': 'review-toggle', 'aria-keyshortcuts': ariaKeyShortcut(reviewKey) } }, [
      kbd(keyLabel(reviewKey)),
      el('span', { text: view.request ? ' Back to labeling' : ' Review queue' }),
    ]);
    this.element.classList.toggle('al-reviewing', view.request !== null);
    if (view.request === null || view.config === null) {
      replaceChildren(this.element, [toggle]);
      return;
    }
    const { request, progress, config } = view;
    const labels = config.labels.map((l) => l.name);
    const order = this.select('Order', 'review-order', request.order, REVIEW_ORDER_LIST.map((id) => [id, orderText(id, progress)]), (value) =>
      this.callbacks.change({ order: value as ReviewOrderId, filters: request.filters }),
    );
    const filter = <K extends keyof ReviewFilters>(name: K, value: ReviewFilters[K] | undefined): void => {
      const filters: Record<string, unknown> = { ...request.filters };
      if (value === undefined) delete filters[name];
      else filters[name] = value;
      this.callbacks.change({ order: request.order, filters: filters as ReviewFilters });
    };
    const choices = (values: readonly string[]): [string, string][] => [[ANY, 'any'], ...values.map((v): [string, string] => [v, v])];
    const annotators = [...new Set([...(progress?.annotators ?? []), ...(request.filters.annotator ? [request.filters.annotator] : [])])];
    const disagreement = el('input', { attrs: { type: 'checkbox', 'data-testid': 'review-disagreement' } });
    disagreement.checked = request.filters.disagreementOnly === true;
    disagreement.addEventListener('change', () => filter('disagreementOnly', disagreement.checked ? true : undefined));
    this.escapes(disagreement);
    replaceChildren(this.element, [
      el('strong', { className: 'al-review-title', text: 'Review' }),
      order,
      this.select('Label', 'review-label', request.filters.label ?? ANY, choices(labels), (v) => filter('label', v === ANY ? undefined : v)),
      this.select('Predicted', 'review-predicted', request.filters.predicted ?? ANY, choices(labels), (v) => filter('predicted', v === ANY ? undefined : v)),
      this.select('Source', 'review-source', request.filters.source ?? ANY, choices(LABEL_SOURCES), (v) => filter('source', v === ANY ? undefined : (v as ReviewFilters['source']))),
      this.select('Annotator', 'review-annotator', request.filters.annotator ?? ANY, choices(annotators), (v) => filter('annotator', v === ANY ? undefined : v)),
      el('label', { className: 'al-review-field' }, [disagreement, el('span', { text: ' Disagreement only' })]),
      this.confidence('Confidence ≥', 'review-min-confidence', request.filters.minConfidence, (v) => filter('minConfidence', v)),
      this.confidence('≤', 'review-max-confidence', request.filters.maxConfidence, (v) => filter('maxConfidence', v)),
      el('span', { className: 'al-review-progress', attrs: { 'data-testid': 'review-progress', role: 'status' }, text: progressText(progress) }),
      toggle,
    ]);
  }

  private select(label: string, testId: string, value: string, options: readonly [string, string][], onChange: (value: string) => void): HTMLElement {
    const select = el('select', { attrs: { 'data-testid': testId, 'aria-label': label } }, options.map(([v, text]) => el('option', { text, attrs: { value: v } })));
    select.value = value;
    select.addEventListener('change', () => onChange(select.value));
    this.escapes(select);
    return el('label', { className: 'al-review-field' }, [el('span', { text: `${label} ` }), select]);
  }

  private confidence(label: string, testId: string, value: number | undefined, onChange: (value: number | undefined) => void): HTMLElement {
    const input = el('input', { attrs: { type: 'number', min: '0', max: '1', step: '0.05', 'data-testid': testId, 'aria-label': `Model confidence ${label}`, placeholder: '–' } });
    input.value = value === undefined ? '' : String(value);
    input.addEventListener('change', () => {
      const n = input.value.trim() === '' ? undefined : Number(input.value);
      onChange(n === undefined || !Number.isFinite(n) ? undefined : Math.min(1, Math.max(0, n)));
    });
    this.escapes(input);
    return el('label', { className: 'al-review-field' }, [el('span', { text: `${label} ` }), input]);
  }

  private escapes(control: HTMLElement): void {
    control.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.callbacks.done();
    });
  }
}

function orderText(id: ReviewOrderId, progress: ReviewProgress | null): string {
  const count = progress?.orders[id];
  return count === undefined ? REVIEW_ORDER_INFO[id].title : `${REVIEW_ORDER_INFO[id].title} (${formatInt(count)})`;
}

/** "Reviewed 3 · 12 to review · 2 errors fixed". */
export function progressText(progress: ReviewProgress | null): string {
  if (progress === null) return 'Ranking…';
  return `Reviewed ${formatInt(progress.reviewed)} · ${formatInt(progress.toReview)} to review · ${formatInt(progress.fixed)} error${progress.fixed === 1 ? '' : 's'} fixed`;
}
