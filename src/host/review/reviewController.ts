/**
 * The editor's review layer for open dataset files: per file, the line mapping and the ReviewModel (the engine's review data while a
 * session owns the file's log, else the log replayed here). Views (decorations, diagnostics,
 * hover) listen to `onDidChange`; writes go through `apply`, to the worker when a session owns the
 * log, else appended here through core's LabelLog. Never a write to the data file.
 *
 * The mapping of a file is built once when it is first shown, a slice of lines at a time (SLICE_MS
 * per slice, then the event loop runs), the visible lines mapped first; after that each edit event's
 * changes are applied to it as they arrive (remap.ts: the cost of the edited lines), and views are
 * told after typing pauses. Edits made during the build wait and are applied when it is done; a big
 * paste or a CSV header edit builds the mapping again, the same way.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { inspectFile } from '../../core/dataset/inspect';
import { defaultMaxRecordBytes } from '../../core/dataset/chunks';
import { detectFormat } from '../../core/dataset';
import { sniff } from '../../core/dataset/sniff';
import { LabelLog, replay, type LabelEvent } from '../../core/labels';
import { LineItemMapper, type LineItemMap, type LineLayout } from '../../core/review/lineItems';
import { runSliced } from '../../core/review/slices';
import type { LineSource, TextChange } from '../../core/review/textChanges';
import { reviewEvent, type ReviewDecision } from '../../core/review/reviewEvents';
import { plainText } from '../../shared/plainText';
import { MAX_REVIEW_DECISIONS, type Message, type WorkerToHost } from '../../shared/protocol/engine';
import type { PanelSession } from '../panelSession';
import type { SessionManager } from '../sessionManager';
import { SUPPORTED_EXTENSIONS } from '../sessionManager';
import { ReviewModel } from './reviewModel';

/** Views (decorations, diagnostics) are told this long after the last edit; the mapping itself is current at once. */
const NOTIFY_DELAY_MS = 150;
/** Host-thread time per slice of a full build before the event loop runs again. */
const SLICE_MS = 8;
const LINES_PER_STEP = 256;
/** Lines above and below the visible range mapped first (as the decorations' margin). */
const VISIBLE_MARGIN = 20;

/** One open dataset file. */
export interface DatasetView {
  readonly file: string;
  readonly model: ReviewModel;
  /** The mapping of the document as it is now; while a build runs, the visible lines' only (or none). */
  map: LineItemMap | undefined;
  mapper: LineItemMapper | undefined;
  /** The document version `map` describes in full (-1 while none does). */
  mappedVersion: number;
  /** While a full build runs: the changes since its snapshot, applied when it is done. */
  pending: TextChange[] | undefined;
  /** Bumped by each build, so a superseded one stops. */
  builds: number;
}

function newView(file: string): DatasetView {
  return { file, model: new ReviewModel(), map: undefined, mapper: undefined, mappedVersion: -1, pending: undefined, builds: 0 };
}

export function isDatasetDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && SUPPORTED_EXTENSIONS.includes(path.extname(doc.uri.fsPath).toLowerCase());
}

export class ReviewController implements vscode.Disposable {
  private readonly views = new Map<string, DatasetView>();
  private readonly changed = new vscode.EventEmitter<DatasetView>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly notifyTimers = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Map<string, { resolve(m: Message<WorkerToHost, 'reviewSaved'>): void }>();
  private requests = 0;
  private disposed = false;

  constructor(private readonly sessions: SessionManager) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const view = this.views.get(key(e.document.uri.fsPath));
        if (view !== undefined && e.contentChanges.length > 0) this.edited(view, e.document, e.contentChanges);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri.fsPath)),
      sessions.onSessionStarted((s) => this.attach(s)),
    );
    const running = sessions.activeSession;
    if (running) this.attach(running);
  }

  /**
   * The view of an open dataset document, created (its log replayed, its mapping built in slices)
   * on first use. The mapping may still be building: `map` then covers the visible lines only.
   */
  async viewOf(doc: vscode.TextDocument): Promise<DatasetView | undefined> {
    if (!isDatasetDocument(doc)) return undefined;
    const file = doc.uri.fsPath;
    let view = this.views.get(key(file));
    if (view === undefined) {
      view = newView(file);
      this.views.set(key(file), view);
      const created = view;
      void this.refreshLog(created);
    }
    if (view.mapper === undefined) {
      const mapper = await this.mapperFor(file).catch(() => undefined);
      view.mapper ??= mapper;
    }
    if (view.mapper !== undefined && view.pending === undefined && view.mappedVersion !== doc.version) void this.build(view, doc);
    return view;
  }

  /** The cached view, without mapping (for synchronous providers). */
  peek(file: string): DatasetView | undefined {
    return this.views.get(key(file));
  }

  /** Writes decisions as review events; resolves with what was written. */
  async apply(file: string, decisions: readonly ReviewDecision[]): Promise<number> {
    if (decisions.length === 0) return 0;
    const session = this.sessions.sessionFor(file);
    if (session !== undefined) {
      // One message carries at most MAX_REVIEW_DECISIONS (the schema's bound): a bigger selection
      // goes in several, each answered by its own `reviewSaved`.
      let written = 0;
      const failed: string[] = [];
      for (let from = 0; from < decisions.length; from += MAX_REVIEW_DECISIONS) {
        const part = decisions.slice(from, from + MAX_REVIEW_DECISIONS);
        const requestId = `review-${Date.now().toString(36)}-${++this.requests}`;
        const reply = new Promise<Message<WorkerToHost, 'reviewSaved'>>((resolve) => this.pending.set(requestId, { resolve }));
        const sent = session.sendReview({ type: 'reviewLabel', requestId, decisions: part.map((d) => ({ itemId: d.itemId, labels: [...d.labels], ...(d.score !== undefined ? { score: d.score } : {}), ...(d.fromSuspect ? { fromSuspect: true } : {}) })) });
        if (!sent) {
          this.pending.delete(requestId);
          throw new Error('The labeling engine has stopped; choose Retry in the labeling panel, then try again.');
        }
        const answer = await reply;
        written += answer.written;
        failed.push(...answer.failed.map((f) => f.message));
      }
      if (failed.length > 0) {
        void vscode.window.showWarningMessage(`Active Label: ${failed.length} not written: ${plainText(failed[0] ?? '')}`);
      }
      return written;
    }
    const annotator = await this.sessions.annotatorFor(file);
    const log = await LabelLog.open(this.sessions.logPathFor(file));
    let written: LabelEvent[];
    try {
      written = await log.append(decisions.map((d) => reviewEvent(d, annotator)));
    } finally {
      await log.close();
    }
    const view = this.views.get(key(file));
    if (view !== undefined) {
      view.model.applyWritten(written);
      this.changed.fire(view);
    }
    return written.length;
  }

  /** The label history of an item, replayed from its log (hover). */
  async historyOf(file: string, itemId: string): Promise<LabelEvent[]> {
    const { events } = await replay(this.sessions.logPathFor(file));
    return events.filter((e) => e.itemId === itemId);
  }

  /** The label set for pickers: the session's, else the remembered setup's, else what is known. */
  async labelsFor(file: string): Promise<string[]> {
    const session = this.sessions.sessionFor(file);
    if (session !== undefined) return [...session.labelSet];
    const answers = await this.sessions.answersFor(file);
    if (answers !== undefined) return [...answers.labels];
    return this.views.get(key(file))?.model.knownLabels() ?? [];
  }

  /**
   * A closed document's line map goes with it. While a session runs on the file, what its engine
   * published (predictions, suspects, the item ids its partial updates refer to) is kept: the
   * engine sends it once per retrain, so a view rebuilt from the log would show no predictions or
   * warnings after the file is reopened, and would drop the engine's later label updates.
   */
  private forget(file: string): void {
    const view = this.views.get(key(file));
    if (view === undefined) return;
    if (this.sessions.sessionFor(file) === undefined) {
      this.views.delete(key(file));
      return;
    }
    view.map = undefined;
    view.mapper = undefined;
    view.mappedVersion = -1;
  }

  private attach(session: PanelSession): void {
    const file = session.datasetFile;
    const unsubscribe = session.onReview((m) => {
      if (m.type === 'reviewSaved') {
        const waiting = this.pending.get(m.requestId);
        this.pending.delete(m.requestId);
        waiting?.resolve(m);
        return;
      }
      let view = this.views.get(key(file));
      if (view === undefined) {
        view = newView(file);
        this.views.set(key(file), view);
      }
      view.model.applyData(m);
      this.changed.fire(view);
    });
    session.onDidDispose(() => {
      unsubscribe();
      const view = this.views.get(key(file));
      if (view === undefined) return;
      view.model.detachEngine();
      void this.refreshLog(view);
    });
  }

  private async refreshLog(view: DatasetView): Promise<void> {
    try {
      const replayed = await replay(this.sessions.logPathFor(view.file));
      view.model.applyReplay(replayed);
      this.changed.fire(view);
    } catch {
      // An unreadable log shows no labels; the session reports the problem when it starts.
    }
  }

  private async mapperFor(file: string): Promise<LineItemMapper> {
    return new LineItemMapper(await layoutOf(file, await this.sessions.answersFor(file).then((a) => a?.textField)));
  }

  /** An edit event: applied to the mapping now (or queued behind a running build). */
  private edited(view: DatasetView, doc: vscode.TextDocument, changes: readonly TextChange[]): void {
    const mapper = view.mapper;
    if (mapper === undefined) return; // viewOf maps the document as it is when it first runs
    if (view.pending !== undefined) {
      view.pending.push(...changes);
      view.map = this.visibleMap(mapper, doc);
      this.notifySoon(view);
      return;
    }
    if (view.mappedVersion === -1 || mapper.needsFullRemap(changes)) {
      void this.build(view, doc);
      return;
    }
    mapper.applyChanges(changes, documentLines(doc));
    view.map = mapper.current;
    view.mappedVersion = doc.version;
    this.notifySoon(view);
  }

  /** Maps the whole document in slices; the visible lines first. */
  private async build(view: DatasetView, doc: vscode.TextDocument): Promise<void> {
    const mapper = view.mapper;
    if (mapper === undefined) return;
    const token = ++view.builds;
    view.pending = [];
    view.mappedVersion = -1;
    view.map = this.visibleMap(mapper, doc);
    if (view.map !== undefined) this.changed.fire(view);
    const build = mapper.startBuild(doc.getText());
    const k = key(view.file);
    const report = await runSliced((n) => build.step(n), {
      sliceMs: SLICE_MS,
      linesPerStep: LINES_PER_STEP,
      yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
      cancelled: () => token !== view.builds || this.views.get(k) !== view || this.disposed,
    });
    if (!report.done) return;
    const pending = view.pending;
    view.pending = undefined;
    if (pending.length > 0) {
      if (mapper.needsFullRemap(pending)) {
        void this.build(view, doc);
        return;
      }
      mapper.applyChanges(pending, documentLines(doc));
    }
    view.map = mapper.current;
    view.mappedVersion = doc.version;
    this.changed.fire(view);
  }

  /** The visible lines of the document's editor, mapped on their own (see LineItemMapper.provisional). */
  private visibleMap(mapper: LineItemMapper, doc: vscode.TextDocument): LineItemMap | undefined {
    const ranges = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.visibleRanges ?? [];
    if (ranges.length === 0) return undefined;
    const from = Math.max(0, Math.min(...ranges.map((r) => r.start.line)) - VISIBLE_MARGIN);
    const to = Math.min(doc.lineCount - 1, Math.max(...ranges.map((r) => r.end.line)) + VISIBLE_MARGIN);
    return mapper.provisional(documentLines(doc), from, to);
  }

  private notifySoon(view: DatasetView): void {
    const k = key(view.file);
    clearTimeout(this.notifyTimers.get(k));
    this.notifyTimers.set(
      k,
      setTimeout(() => {
        this.notifyTimers.delete(k);
        if (this.views.get(k) === view) this.changed.fire(view);
      }, NOTIFY_DELAY_MS),
    );
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.notifyTimers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The file's layout as the loader reads it: format, header, text and id fields (sniffed on disk). */
export async function layoutOf(file: string, textField: string | undefined): Promise<LineLayout> {
  const format = detectFormat(file);
  await fs.access(file);
  const facts = await inspectFile(file);
  const sniffed = await sniff(file, format, facts, { maxRecordBytes: defaultMaxRecordBytes }, textField !== undefined ? [textField] : []);
  return {
    format,
    textField: textField ?? sniffed.detectedTextField,
    ...(sniffed.detectedIdField !== undefined ? { idField: sniffed.detectedIdField } : {}),
    hasHeader: sniffed.layout.hasHeader,
    columns: sniffed.layout.columns,
  };
}

/** The document's text after an edit, read by line (no copy of the whole text). */
function documentLines(doc: vscode.TextDocument): LineSource {
  return {
    lineCount: doc.lineCount,
    line: (i) => doc.lineAt(i).text,
    lines: (from, to) => doc.getText(new vscode.Range(from, 0, to, doc.lineAt(to).text.length)),
  };
}

function key(file: string): string {
  return path.resolve(file);
}
