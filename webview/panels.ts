/**
 * Everything around the labeling card: the header (dataset, progress, model state), the banners
 * (errors with actions, failed saves with retry, notices, engine progress) and the side panel
 * (per-label counts, recent labels and undos with their saved/pending state, the stopping hint).
 */
import { describeInterval, describeScored, ERROR_ACTIONS, isEvaluationTrusted, itemsToScore, TOO_FEW_EVALUATION_ITEMS, WHY_ITEMS_TO_SCORE } from '../src/shared/protocol';
import type { ErrorActionId, ErrorMessage, InitMessage, ModelSnapshot, PoolEmbeddingSnapshot, ProgressSnapshot, SlowEmbeddingMessage } from '../src/shared/protocol';
import { progressParts } from '../src/shared/progressText';
import { button, el, formatDuration, formatInt, formatPercent, replaceChildren } from './dom';
import { describeOutcome } from './render';
import { renderPoolBanners, type PoolBannerCallbacks } from './poolBanner';
import type { HistoryEntry, UndoneEntry, WriteRecord } from './queue';

export interface PanelCallbacks extends PoolBannerCallbacks {
  readonly openSettings: () => void;
  readonly chooseStrategy: () => void;
  readonly toggleHelp: () => void;
  readonly errorAction: (actionId: ErrorActionId) => void;
  readonly dismissError: (index: number) => void;
  readonly retryWrite: (requestId: string) => void;
}

export class HeaderRenderer {
  readonly element: HTMLElement;
  private readonly title = el('div', { className: 'al-title', attrs: { 'data-testid': 'dataset' } });
  private readonly progressText = el('span', { attrs: { 'data-testid': 'progress' } });
  private readonly progressBar = el('progress', { className: 'al-progress-bar', attrs: { max: '1', value: '0' } });
  private readonly modelState = el('div', { className: 'al-model', attrs: { 'data-testid': 'model-state' } });
  private readonly strategy: HTMLButtonElement;
  private readonly embedder: HTMLButtonElement;
  private readonly annotator: HTMLButtonElement;

  constructor(callbacks: PanelCallbacks) {
    // Names the embedder in use, and is the one-click way to choose another (a real model, a folder).
    this.annotator = button('', callbacks.openSettings, { className: 'al-secondary', title: 'Labels are written under this name: change it with the activeLabel.annotator setting', attrs: { 'data-testid': 'annotator' } });
    this.embedder = button('', callbacks.openSettings, { className: 'al-secondary al-embedder', title: 'Embeddings in use: click to choose a model, a local model folder or your own vectors', attrs: { 'data-testid': 'embedder' } });
    this.strategy = button('', callbacks.chooseStrategy, { className: 'al-secondary', title: 'Choose sampling strategy', attrs: { 'data-testid': 'strategy' } });
    this.element = el('header', { className: 'al-header' }, [
      this.title,
      el('div', { className: 'al-progress' }, [this.progressText, this.progressBar]),
      this.modelState,
      el('div', { className: 'al-header-actions' }, [
        this.annotator,
        this.embedder,
        this.strategy,
        button('Settings', callbacks.openSettings, { className: 'al-secondary', attrs: { 'data-testid': 'settings' } }),
        button('?', callbacks.toggleHelp, { className: 'al-secondary', title: 'Keyboard shortcuts (?)' }),
      ]),
    ]);
  }

  render(config: InitMessage | null, model: ModelSnapshot | null): void {
    this.title.textContent = config ? config.dataset.name : 'Active Label';
    this.strategy.textContent = config ? `Strategy: ${config.strategy}` : 'Strategy';
    this.annotator.textContent = config?.annotator ? `Annotator: ${config.annotator}` : 'Annotator';
    this.embedder.textContent = config?.embedder ? `Embeddings: ${config.embedder}` : 'Embeddings: starting';
    this.embedder.classList.toggle('al-warning', Boolean(config?.embedder && /lexical|fallback/.test(config.embedder)));
    const total = model?.total ?? config?.dataset.total ?? 0;
    const labeled = model?.labeled ?? 0;
    this.progressText.textContent = `${formatInt(labeled)} / ${formatInt(total)} labeled`;
    this.progressBar.value = total > 0 ? labeled / total : 0;
    if (!model || (model.version === 0 && !model.training)) {
      this.modelState.textContent = 'No model yet';
    } else {
      const state = `${model.training ? 'Training…' : 'Model'} · v${model.version}`;
      const metrics = renderMetrics(model);
      replaceChildren(this.modelState, [document.createTextNode(metrics ? `${state} · ` : state), metrics]);
    }
    this.modelState.classList.toggle('al-training', Boolean(model?.training));
  }
}

/**
 * "accuracy 83% (95% CI 71–91%) · macro-F1 80% on 25 items scored", the out-of-fold estimate.
 * Before it rests on 20 items: "7 of 20 items to score", with why only those items count.
 */
function renderMetrics(model: ModelSnapshot): HTMLElement | null {
  const n = model.evaluated;
  if (model.accuracy === undefined) {
    if (n === undefined) return null;
    return el('span', {
      className: 'al-metrics al-untrusted',
      text: itemsToScore(n),
      title: WHY_ITEMS_TO_SCORE,
      attrs: { 'data-testid': 'metrics', 'data-trusted': 'false' },
    });
  }
  const band = model.accuracyLow !== undefined && model.accuracyHigh !== undefined ? ` (${describeInterval(model.accuracyLow, model.accuracyHigh)})` : '';
  const parts = [`accuracy ${formatPercent(model.accuracy)}${band}`];
  if (model.macroF1 !== undefined) parts.push(`macro-F1 ${formatPercent(model.macroF1)}`);
  const on = n === undefined ? '' : ` ${describeScored(n)}`;
  const trusted = isEvaluationTrusted(n);
  return el('span', {
    className: trusted ? 'al-metrics' : 'al-metrics al-untrusted',
    text: `${parts.join(' · ')}${on}`,
    title: trusted ? WHY_ITEMS_TO_SCORE : TOO_FEW_EVALUATION_ITEMS,
    attrs: { 'data-testid': 'metrics', 'data-trusted': String(trusted) },
  });
}

export interface BannerView {
  readonly errors: readonly ErrorMessage[];
  readonly failedWrites: readonly WriteRecord[];
  readonly notice: string | null;
  readonly progress: ProgressSnapshot | null;
  /** A protocol violation from the host, shown so it is never silently dropped. */
  readonly invalid: string | null;
  /** The pool's background embedding (null when none or done), and the one-time slow warning. */
  readonly pool?: PoolEmbeddingSnapshot | null;
  readonly slow?: SlowEmbeddingMessage | null;
}

export function renderBanners(container: HTMLElement, view: BannerView, callbacks: PanelCallbacks): void {
  const nodes: HTMLElement[] = [];
  view.errors.forEach((error, index) => {
    const actions = error.actions.map((id) => button(ERROR_ACTIONS[id], () => callbacks.errorAction(id), { attrs: { 'data-action': id } }));
    actions.push(button('Dismiss', () => callbacks.dismissError(index), { className: 'al-secondary' }));
    nodes.push(
      el('div', { className: 'al-banner al-error', attrs: { role: 'alert', 'data-testid': 'error-banner' } }, [
        el('span', { className: 'al-banner-text', text: error.message }),
        el('span', { className: 'al-banner-actions' }, actions),
      ]),
    );
  });
  for (const write of view.failedWrites) {
    const what = write.message.type === 'label' ? `Label “${write.message.labels.join(', ')}”` : WRITE_NAMES[write.message.type];
    nodes.push(
      el('div', { className: 'al-banner al-error', attrs: { role: 'alert', 'data-testid': 'save-failed', 'data-request-id': write.requestId } }, [
        el('span', { className: 'al-banner-text', text: `${what} was NOT saved: ${write.error ?? 'unknown error'}. It stays pending.` }),
        el('span', { className: 'al-banner-actions' }, [button('Retry', () => callbacks.retryWrite(write.requestId), { attrs: { 'data-action': 'retry-write' } })]),
      ]),
    );
  }
  if (view.invalid) nodes.push(el('div', { className: 'al-banner al-warning', attrs: { role: 'status' }, text: `Ignored an invalid message from the extension: ${view.invalid}` }));
  if (view.progress && view.progress.phase !== 'idle') nodes.push(renderProgress(view.progress));
  nodes.push(...renderPoolBanners(view.pool ?? null, view.slow ?? null, callbacks));
  if (view.notice) nodes.push(el('div', { className: 'al-banner al-notice', attrs: { role: 'status', 'data-testid': 'notice' }, text: view.notice }));
  replaceChildren(container, nodes);
}

function renderProgress(progress: ProgressSnapshot): HTMLElement {
  const parts = progressParts(progress, formatDuration);
  const bar = el('progress', { attrs: { max: String(Math.max(1, progress.total)), value: String(progress.done) } });
  return el('div', { className: 'al-banner al-info', attrs: { role: 'status', 'data-testid': 'engine-progress' } }, [
    el('span', { className: 'al-banner-text', text: parts.join(' · ') }),
    bar,
  ]);
}

/** Per-label counts as small bars; the largest count fills the width. */
export function renderCounts(container: HTMLElement, config: InitMessage | null, model: ModelSnapshot | null): void {
  const names = config ? config.labels.map((l) => l.name) : Object.keys(model?.counts ?? {});
  const counts = model?.counts ?? {};
  const max = Math.max(1, ...names.map((name) => counts[name] ?? 0));
  replaceChildren(container, [
    el('h3', { text: 'Labels' }),
    ...names.map((name) => {
      const count = counts[name] ?? 0;
      const bar = el('div', { className: 'al-count-bar' });
      bar.style.width = `${(100 * count) / max}%`;
      return el('div', { className: 'al-count', attrs: { 'data-label': name } }, [
        el('span', { className: 'al-count-name', text: name }),
        el('span', { className: 'al-count-value', text: formatInt(count) }),
        el('div', { className: 'al-count-track' }, [bar]),
      ]);
    }),
  ]);
}

const WRITE_NAMES = { skip: 'Skip', flag: 'Flag', undo: 'Undo' } as const;

const STATUS_TEXT = { pending: 'pending…', saved: 'saved', failed: 'NOT saved' } as const;
const UNDO_STATUS_TEXT = { pending: 'undoing…', saved: 'undone', failed: 'undo NOT saved' } as const;

/** Recent history and undos, newest first: each with its write status, an undo struck through. */
export function renderRecent(
  container: HTMLElement,
  recent: { readonly history: readonly HistoryEntry[]; readonly undone: readonly UndoneEntry[]; readonly cursor: number | null },
  statusOf: (requestId: string | undefined) => WriteRecord | undefined,
  limit = 8,
): void {
  const { history, undone, cursor } = recent;
  // History entries from a state saved before `seq` existed sort below the rest, in their order.
  const rows = [
    ...history.map((entry, index) => ({ entry, index, seq: entry.seq ?? -1, undone: false })),
    ...undone.map((entry, index) => ({ entry, index, seq: entry.seq, undone: true })),
  ]
    .sort((a, b) => b.seq - a.seq || Number(b.undone) - Number(a.undone) || b.index - a.index)
    .slice(0, limit)
    .map(({ entry, index, undone: isUndone }) => {
      const status = statusOf(entry.requestId)?.status;
      const snippet = entry.item.text.length > 60 ? `${entry.item.text.slice(0, 60)}…` : entry.item.text;
      if (isUndone) {
        return el('li', {
          className: 'al-recent-row al-undone',
          attrs: { 'data-item-id': entry.item.id, 'data-status': 'undone', 'data-undo-status': status ?? 'none' },
        }, [
          el('s', { className: 'al-recent-outcome', text: describeOutcome(entry.outcome) }),
          el('span', { className: 'al-recent-status', text: status ? UNDO_STATUS_TEXT[status] : 'undone' }),
          el('span', { className: 'al-recent-text', text: snippet }),
        ]);
      }
      return el('li', {
        className: `al-recent-row${index === cursor ? ' al-current' : ''}${status ? ` al-${status}` : ''}`,
        attrs: { 'data-item-id': entry.item.id, 'data-status': status ?? entry.outcome.kind },
      }, [
        el('span', { className: 'al-recent-outcome', text: describeOutcome(entry.outcome) }),
        el('span', { className: 'al-recent-status', text: status ? STATUS_TEXT[status] : '' }),
        el('span', { className: 'al-recent-text', text: snippet }),
      ]);
    });
  replaceChildren(container, [el('h3', { text: 'Recent' }), rows.length ? el('ol', { className: 'al-recent', attrs: { 'data-testid': 'recent' } }, rows) : el('p', { className: 'al-muted', text: 'Nothing labeled yet in this session.' })]);
}

/** Progress toward the stopping hint ("Predictions still changing: κ 0.82 of 0.99 …"), or the hint itself. */
export function renderStopping(container: HTMLElement, model: ModelSnapshot | null): void {
  const stopping = model?.stopping;
  container.textContent = stopping?.message ?? '';
  container.hidden = stopping === undefined;
  container.classList.toggle('al-stop', stopping?.stop === true);
  container.dataset.stop = String(stopping?.stop === true);
}
