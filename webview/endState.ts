/**
 * What the card says when there is no item to show: every state names what is happening and
 * offers the next steps as actions, each with its key (label keys pick them, since no item is on
 * screen). "Starting…" is never a dead end: after a few seconds it says what the engine is doing.
 */
import {
  ERROR_ACTIONS,
  PHASE_TITLES,
  REVIEW_ORDER_INFO,
  REVIEW_ORDER_LIST,
  type ErrorMessage,
  type InitMessage,
  type ModelSnapshot,
  type PoolEmbeddingSnapshot,
  type ProgressSnapshot,
  type ReviewProgress,
  type ReviewRequest,
  type WebviewToHost,
} from '../src/shared/protocol';
import { poolStatus } from '../src/shared/poolText';

export interface EndAction {
  readonly label: string;
  readonly message: WebviewToHost;
}

export interface EndState {
  readonly kind: 'starting' | 'working' | 'failed' | 'empty' | 'all-labeled' | 'exhausted' | 'waiting' | 'review-done';
  readonly title: string;
  readonly detail: string;
  readonly actions: readonly EndAction[];
}

export interface EndView {
  readonly config: InitMessage | null;
  readonly model: ModelSnapshot | null;
  readonly progress: ProgressSnapshot | null;
  readonly errors: readonly ErrorMessage[];
  readonly exhausted: boolean;
  /** True once the page has waited a few seconds without an item. */
  readonly slow: boolean;
  /** The pool's background embedding, while it is not done: a pool that ran dry may still grow. */
  readonly pool?: PoolEmbeddingSnapshot | null;
  /** The review queue's order and filters, and its latest progress; null while labeling. */
  readonly review?: { readonly request: ReviewRequest; readonly progress: ReviewProgress | null } | null;
}

const n = (x: number): string => x.toLocaleString('en-US');
const settings: EndAction = { label: 'Open settings', message: { type: 'openSettings' } };
const exportLabels: EndAction = { label: 'Export labels', message: { type: 'exportLabels' } };
const strategy: EndAction = { label: 'Change strategy', message: { type: 'chooseStrategy' } };

export function endState(view: EndView): EndState {
  const { config, model, progress, errors, exhausted, slow } = view;
  const error = errors.at(-1);
  if (error !== undefined && error.kind !== 'cancelled') {
    return {
      kind: 'failed',
      title: error.kind === 'model-load' ? 'The embedding model could not be loaded' : error.kind === 'dataset' ? 'The dataset could not be read' : 'The engine stopped',
      detail: error.message.split('\n')[0] ?? error.message,
      actions: error.actions.map((id) => ({ label: ERROR_ACTIONS[id], message: { type: 'errorAction', actionId: id } })),
    };
  }
  if (error?.kind === 'cancelled') {
    return { kind: 'failed', title: 'Embedding was cancelled', detail: 'Nothing is lost: what was embedded is cached, and a retry continues from there.', actions: [{ label: 'Retry', message: { type: 'errorAction', actionId: 'retry' } }, settings] };
  }
  if (progress !== null && progress.phase !== 'idle' && progress.phase !== 'training') {
    const eta = progress.etaSeconds > 0 ? `, about ${Math.max(1, Math.round(progress.etaSeconds))} s left` : '';
    const rate = progress.itemsPerSecond > 0 ? ` at ${n(Math.round(progress.itemsPerSecond))}/s` : '';
    const counted = progress.total > 0 ? ` ${n(progress.done)} of ${n(progress.total)}${progress.phase === 'loading' ? ' bytes' : ''}` : '…';
    return {
      kind: 'working',
      title: `${PHASE_TITLES[progress.phase]}${counted}`,
      detail: `Labeling starts as soon as the dataset is ready${rate}${eta}. Embeddings are cached, so the next start is fast.`,
      actions: [{ label: 'Cancel', message: { type: 'cancel' } }, settings],
    };
  }
  if (config === null) {
    return {
      kind: 'starting',
      title: 'Starting…',
      detail: slow ? 'The engine is starting its worker and reading the label log. If this lasts, the Active Label output channel says why.' : '',
      actions: slow ? [settings] : [],
    };
  }
  if (view.review && exhausted) return reviewDone(view.review.request, view.review.progress);
  const total = model?.total ?? config.dataset.total;
  const labeled = model?.labeled ?? 0;
  if (exhausted && total === 0) {
    return {
      kind: 'empty',
      title: 'This dataset has no items to label',
      detail: 'Every row was empty or could not be read; the Active Label output channel lists each one with its file and line.',
      actions: [{ label: 'Configure labels', message: { type: 'configureLabels' } }, settings],
    };
  }
  if (exhausted && labeled >= total) {
    return {
      kind: 'all-labeled',
      title: `All ${n(total)} items are labeled`,
      detail: 'Export the labels, or relabel recent items with ← (history).',
      actions: [exportLabels, strategy, settings],
    };
  }
  if (exhausted) {
    return {
      kind: 'exhausted',
      title: `Nothing more to serve with ${config.strategy}`,
      detail: `${n(total - labeled)} of ${n(total)} items are unlabeled: the ones you skipped (now or in an earlier session) or flagged for review.`,
      actions: [{ label: 'Serve the skipped items again', message: { type: 'revisitSkipped' } }, strategy, exportLabels],
    };
  }
  if (view.pool?.state === 'embedding') {
    return {
      kind: 'waiting',
      title: 'Waiting for more items to be embedded',
      detail: `${poolStatus(view.pool)}. Every embedded item is labeled, skipped or on its way; more appear here as the rest embeds.`,
      actions: [{ label: 'Stop embedding', message: { type: 'cancel' } }, settings],
    };
  }
  return {
    kind: 'waiting',
    title: 'Loading items…',
    detail: slow ? `The engine is ${model?.training ? 'retraining the model' : 'choosing the next items'}; they appear here as soon as they are picked.` : '',
    actions: [],
  };
}

/** The review order has nothing left: another order (the first that holds items), labeling, export. */
function reviewDone(request: ReviewRequest, progress: ReviewProgress | null): EndState {
  const title = REVIEW_ORDER_INFO[request.order].title;
  const filtered = Object.keys(request.filters).length > 0;
  const next = REVIEW_ORDER_LIST.find((id) => id !== request.order && (progress?.orders[id] ?? 0) > 0);
  const actions: EndAction[] = [];
  if (next !== undefined) {
    actions.push({ label: `Review ${REVIEW_ORDER_INFO[next].title.toLowerCase()} (${n(progress?.orders[next] ?? 0)})`, message: { type: 'reviewMode', review: { order: next, filters: request.filters } } });
  }
  if (filtered) actions.push({ label: 'Clear the filters', message: { type: 'reviewMode', review: { order: request.order, filters: {} } } });
  actions.push({ label: 'Back to labeling', message: { type: 'reviewMode', review: null } }, exportLabels);
  const done = progress ? ` Reviewed ${n(progress.reviewed)} in this session, ${n(progress.fixed)} label${progress.fixed === 1 ? '' : 's'} fixed.` : '';
  return {
    kind: 'review-done',
    title: 'Nothing to review in this order',
    detail: `${title}${filtered ? ' with these filters' : ''}: no item is left to review.${done}`,
    actions,
  };
}
