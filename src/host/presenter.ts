/**
 * The one presenter of a labeling session: it takes every validated engine message and shows it,
 * in the panel (forwarded unchanged, the protocol's messages are the page's own) and in the status
 * bar. It keeps the latest snapshot only so that a page that reloads gets a full `init`, and the
 * status bar can be repainted; the worker owns the state itself.
 *
 * Free of the `vscode` module: the panel and the status bar come in as small ports.
 */
import {
  EMPTY_MODEL,
  labelKeyForIndex,
  type HostToWebview,
  type Keymap,
  type LabelMode,
  type Message,
  type ModelSnapshot,
  type PoolEmbeddingSnapshot,
  type ProgressSnapshot,
  type RevealSection,
} from '../shared/protocol';
import type { WorkerToHost } from '../shared/protocol/engine';
import { assertUnreachable } from '../shared/assert';
import { reloadReport } from './reloadReport';

export interface PagePort {
  post(message: HostToWebview): void;
  /** False while the panel is hidden: its page is destroyed and reloads when shown. */
  readonly visible: boolean;
}

export interface StatusPort {
  showProgress(p: ProgressSnapshot): void;
  /** `pool`: the pool's background embedding while it is not done. */
  showModel(m: ModelSnapshot, pool?: PoolEmbeddingSnapshot): void;
  showError(message: string): void;
}

/** What the page's `init` says besides the engine's state. */
export interface PageConfig {
  readonly datasetName: string;
  readonly labels: readonly string[];
  readonly mode: LabelMode;
  readonly keymap: Keymap;
  /** The strategy's display title. */
  readonly strategy: string;
  /** Written into every label event. */
  readonly annotator?: string;
}

export class Presenter {
  private model: ModelSnapshot = EMPTY_MODEL;
  private progress: ProgressSnapshot | undefined;
  /** The pool's background embedding, until it is done. */
  private pool: PoolEmbeddingSnapshot | undefined;
  private engineReady = false;
  private embedder: string | undefined;
  /** A `reveal` waiting for a hidden panel's page to come back. */
  private pendingReveal: RevealSection | undefined;
  /**
   * A strategy change's replacement items that reached a hidden panel: its page is destroyed, so
   * they wait for it to come back (else the page would resume on the old strategy's items).
   */
  private pendingReplace: Message<HostToWebview, 'items'> | undefined;
  /** Items withdrawn (`poolChanged`) while the page was hidden: its restored queue may hold them. */
  private pendingWithdrawn = new Set<string>();
  /** The slow-embedding warning while the pool still embeds: a page that comes back shows it again. */
  private slow: Message<HostToWebview, 'slowEmbedding'> | undefined;

  constructor(
    private config: PageConfig,
    private readonly page: PagePort,
    private readonly status: StatusPort,
  ) {}

  get snapshot(): ModelSnapshot {
    return this.model;
  }

  /** The page (re)loaded: give it everything, then any reveal it missed. */
  pageReady(): void {
    this.page.post(this.init());
    if (this.pendingWithdrawn.size > 0) {
      this.page.post({ type: 'poolChanged', withdrawn: [...this.pendingWithdrawn] });
      this.pendingWithdrawn.clear();
    }
    if (this.slow !== undefined && this.pool?.state === 'embedding') this.page.post(this.slow);
    if (this.pendingReveal !== undefined) {
      this.page.post({ type: 'reveal', section: this.pendingReveal });
      this.pendingReveal = undefined;
    }
    if (this.pendingReplace !== undefined) {
      this.page.post(this.pendingReplace);
      this.pendingReplace = undefined;
    }
  }

  /** New labels, mode, keymap or strategy: the page gets a new `init` and keeps its queue. */
  reconfigure(config: PageConfig): void {
    this.config = config;
    this.page.post(this.init());
  }

  /** The engine restarts: until it is ready again, the status bar shows its progress. */
  engineRestarting(): void {
    this.engineReady = false;
    this.progress = undefined;
    this.pool = undefined;
    this.slow = undefined;
  }

  reveal(section: RevealSection): void {
    if (this.page.visible) this.page.post({ type: 'reveal', section });
    else this.pendingReveal = section;
  }

  /** Every engine message passes here once. */
  present(m: WorkerToHost): void {
    switch (m.type) {
      case 'progress':
        this.onProgress(m);
        this.page.post(m);
        return;
      case 'counts':
        this.model = { ...this.model, counts: m.counts, labeled: m.labeled, total: m.total };
        // During a retrain the status bar shows the counts (marked training…); other phases show their progress.
        if (this.engineReady && (this.progress === undefined || this.progress.phase === 'training')) this.showModel();
        this.page.post(m);
        return;
      case 'model': {
        const { type: _type, ...snapshot } = m;
        this.model = snapshot;
        this.showModel();
        this.page.post(m);
        return;
      }
      case 'engineReady':
        this.engineReady = true;
        this.embedder = m.embedder;
        this.progress = undefined;
        this.pool = undefined;
        this.model = { ...this.model, ...m.counts };
        this.showModel();
        this.page.post(this.init());
        if (m.imported > 0 || m.toReview > 0) this.page.post({ type: 'notice', message: importNotice(m.imported, m.toReview) });
        if (m.summary.duplicateRows > 0) {
          const n = m.summary.duplicateRows.toLocaleString('en-US');
          this.page.post({ type: 'notice', message: `${n} row${m.summary.duplicateRows === 1 ? ' repeats' : 's repeat'} an earlier row's text: each text is one item, labeled once.` });
        }
        return;
      case 'error':
        this.progress = undefined;
        if (this.model.training) this.model = { ...this.model, training: false };
        this.status.showError(m.message);
        this.page.post(m);
        return;
      case 'poolChanged':
        if (!this.page.visible) for (const id of m.withdrawn) this.pendingWithdrawn.add(id);
        this.page.post(m);
        return;
      case 'items':
        if (m.replace && !this.page.visible) this.pendingReplace = m;
        else this.page.post(m);
        return;
      case 'poolEmbedding': {
        const { type: _type, ...pool } = m;
        this.pool = pool.state === 'done' ? undefined : pool;
        if (pool.state !== 'embedding') this.slow = undefined;
        if (this.engineReady && (this.progress === undefined || this.progress.phase === 'training')) this.showModel();
        this.page.post(m);
        return;
      }
      case 'slowEmbedding':
        this.slow = m;
        this.page.post(m);
        return;
      case 'saved':
      case 'saveFailed':
      case 'notice':
      case 'reviewProgress':
        this.page.post(m);
        return;
      case 'datasetReloaded':
        this.page.post({ type: 'notice', message: reloadReport(m, this.config.datasetName).notice });
        return;
      case 'exported':
      case 'imported':
      case 'log':
      case 'reviewSaved':
      case 'reviewData':
        // The editor's review layer takes these (src/host/review); the page never sees them.
        return;
      default:
        assertUnreachable(m);
    }
  }

  private showModel(): void {
    this.status.showModel(this.model, this.pool);
  }

  private onProgress(m: Message<WorkerToHost, 'progress'>): void {
    const { type: _type, ...p } = m;
    if (p.phase === 'idle') {
      this.progress = undefined;
      this.model = { ...this.model, training: false };
      if (this.engineReady) this.showModel();
      return;
    }
    this.progress = p;
    if (p.phase === 'training') {
      this.model = { ...this.model, training: true };
      // A retrain runs beside labeling: the status bar keeps the counts, marked "training…".
      if (this.engineReady) this.showModel();
      return;
    }
    this.status.showProgress(p);
  }

  init(): Message<HostToWebview, 'init'> {
    const c = this.config;
    return {
      type: 'init',
      dataset: { name: c.datasetName, total: this.model.total },
      labels: c.labels.map((name, i) => ({ name, key: labelKeyForIndex(i) })),
      mode: c.mode,
      keymap: c.keymap,
      strategy: c.strategy,
      ...(c.annotator !== undefined ? { annotator: c.annotator } : {}),
      ...(this.embedder !== undefined ? { embedder: this.embedder } : {}),
      state: { ...this.model, ...(this.progress ? { progress: this.progress } : {}), ...(this.pool ? { pool: this.pool } : {}) },
    };
  }
}

/** "Imported 120 labels from the file; 300 of its labels wait for review." */
export function importNotice(imported: number, toReview: number): string {
  const parts: string[] = [];
  if (imported > 0) parts.push(`Imported ${imported.toLocaleString('en-US')} label${imported === 1 ? '' : 's'} from the file`);
  if (toReview > 0) parts.push(`${toReview.toLocaleString('en-US')} of the file's labels are shown as suggestions to review: Enter accepts one, a label key corrects it`);
  return `${parts.join('; ')}.`;
}
