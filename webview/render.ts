/**
 * The labeling card: the item on screen, the model's prediction, "why this item", the label buttons
 * with their key hints, and the shortcut overlay. This is the part repainted on every keypress, so it
 * touches only its own nodes. Item text goes in through textContent only (see dom.ts).
 */
import { REVIEW_ORDER_INFO } from '../src/shared/protocol';
import type { InitMessage, QueueItem } from '../src/shared/protocol';
import { button, el, formatPercent, formatScore, kbd, replaceChildren } from './dom';
import { ariaKeyShortcut, keyLabel } from './keyboard';
import type { KeyAction } from './keyboard';
import type { EndState } from './endState';
import type { Outcome, WriteStatus } from './queue';

export interface CardView {
  readonly config: InitMessage | null;
  readonly item: QueueItem | null;
  /** Set while an item from history is on screen. */
  readonly browsing: { readonly position: number; readonly total: number; readonly outcome: Outcome; readonly status?: WriteStatus } | null;
  /** Multi mode: labels toggled for the item on screen. */
  readonly selection: ReadonlySet<string>;
  /** What the card says, and offers, when there is no item. */
  readonly end: EndState | null;
  /** A short note on what the last key did that the item alone does not show (an undo). */
  readonly feedback?: string | null;
  /** The panel is in review mode (the hints show the review keys). */
  readonly reviewing?: boolean;
}

export class CardRenderer {
  readonly element: HTMLElement;
  private readonly meta = el('div', { className: 'al-item-meta', attrs: { 'data-testid': 'item-meta' } });
  private readonly text = el('div', { className: 'al-text', attrs: { 'data-testid': 'item-text', role: 'document', tabindex: '-1' } });
  private readonly prediction = el('div', { className: 'al-prediction', attrs: { 'data-testid': 'prediction' } });
  private readonly why = el('div', { className: 'al-why', attrs: { 'data-testid': 'why' } });
  private readonly labels = el('div', { className: 'al-labels', attrs: { 'data-testid': 'labels', role: 'toolbar' } });
  private readonly hints = el('div', { className: 'al-hints', attrs: { 'data-testid': 'hints' } });
  private readonly endActions = el('div', { className: 'al-end-actions', attrs: { 'data-testid': 'end-actions', role: 'toolbar' } });
  private readonly feedback = el('div', { className: 'al-feedback', attrs: { 'data-testid': 'feedback', role: 'status', 'aria-live': 'polite' } });
  private shownId: string | null | undefined;
  private shownEnd: string | undefined;

  constructor(private readonly onAction: (action: KeyAction) => void) {
    this.element = el('section', { className: 'al-card', attrs: { 'aria-live': 'polite' } }, [
      this.meta,
      this.text,
      this.prediction,
      this.why,
      this.endActions,
      this.labels,
      this.hints,
      this.feedback,
    ]);
  }

  render(view: CardView): void {
    const { item, config } = view;
    this.renderMeta(view);
    const feedback = view.feedback ?? '';
    if (this.feedback.textContent !== feedback) this.feedback.textContent = feedback;
    const id = item ? item.id : null;
    if (id !== this.shownId) {
      this.shownId = id;
      if (item) this.text.textContent = item.text;
      this.text.classList.toggle('al-placeholder', !item);
      this.text.scrollTop = 0;
      this.element.setAttribute('data-item-id', id ?? '');
    }
    // Without an item the card is an end state: it is repainted whenever that state changes
    // (null to null is still a change of what the panel must say).
    this.renderEnd(item ? null : view.end);
    this.renderPrediction(item, config?.keymap);
    this.renderWhy(item);
    // An end state with actions gives the label keys to those actions: the label buttons step aside.
    const endActions = !item && view.end !== null && view.end.actions.length > 0;
    this.renderLabels(endActions ? { ...view, config: null } : view);
    this.renderHints(endActions ? null : config, view.reviewing === true);
  }

  private renderEnd(end: EndState | null): void {
    const key = end === null ? '' : JSON.stringify(end);
    if (key === this.shownEnd) return;
    this.shownEnd = key;
    this.element.setAttribute('data-end-state', end?.kind ?? '');
    if (end === null) {
      replaceChildren(this.endActions, []);
      return;
    }
    replaceChildren(this.text, [
      el('div', { className: 'al-end-title', attrs: { 'data-testid': 'end-title' }, text: end.title }),
      end.detail ? el('div', { className: 'al-end-detail', text: end.detail }) : null,
    ]);
    // With no item on screen the label keys pick these actions, in order: 1, 2, 3…
    replaceChildren(
      this.endActions,
      end.actions.map((action, index) =>
        button('', () => this.onAction({ kind: 'label', index }), { className: 'al-end-action', attrs: { 'data-end-action': action.label, 'aria-keyshortcuts': String(index + 1) } }, [
          kbd(String(index + 1)),
          el('span', { text: action.label }),
        ]),
      ),
    );
  }

  private renderMeta(view: CardView): void {
    const { browsing } = view;
    if (!browsing) {
      const order = view.item?.review?.order;
      this.meta.textContent = order !== undefined ? `Review · ${REVIEW_ORDER_INFO[order].title}` : view.item ? 'Label this item' : '';
      this.meta.classList.remove('al-browsing');
      return;
    }
    this.meta.classList.add('al-browsing');
    const status = browsing.status ? ` (${browsing.status === 'failed' ? 'not saved' : browsing.status})` : '';
    this.meta.textContent = `History ${browsing.position} of ${browsing.total} · ${describeOutcome(browsing.outcome)}${status} · press a label to relabel, → to go forward`;
  }

  private renderPrediction(item: QueueItem | null, keymap: InitMessage['keymap'] | undefined): void {
    if (item?.review) {
      this.renderReview(item, keymap);
      return;
    }
    if (item?.suggestion) {
      this.prediction.classList.remove('al-muted');
      const model = item.prediction ? ` · model: ${item.prediction.label} (${formatPercent(item.prediction.confidence)})` : '';
      replaceChildren(this.prediction, [
        el('span', { text: 'The file says ' }),
        el('strong', { text: item.suggestion.labels.join(', ') }),
        el('span', { className: 'al-hint', text: `${model} · ` }),
        kbd(keyLabel('Enter')),
        el('span', { className: 'al-hint', text: ' accepts, a label key corrects' }),
      ]);
      return;
    }
    if (!item?.prediction) {
      this.prediction.textContent = item ? 'No model prediction yet' : '';
      this.prediction.classList.add('al-muted');
      return;
    }
    this.prediction.classList.remove('al-muted');
    const { label, confidence } = item.prediction;
    replaceChildren(this.prediction, [
      el('span', { text: 'Model predicts ' }),
      el('strong', { text: label }),
      el('span', { text: ` (${formatPercent(confidence)})` }),
      el('span', { className: 'al-hint', text: ' · ' }),
      kbd(keyLabel('Enter')),
      el('span', { className: 'al-hint', text: ' confirms' }),
    ]);
  }

  /** A review item: its current label and who gave it, the suggestion and where it comes from, the keys. */
  private renderReview(item: QueueItem, keymap: InitMessage['keymap'] | undefined): void {
    this.prediction.classList.remove('al-muted');
    const current = item.review?.current;
    const suggestion = item.suggestion;
    const from = suggestion ? suggestionSource(suggestion) : '';
    const confirmKey = keymap?.confirm ?? 'Enter';
    const keepKey = keymap?.keep ?? 'k';
    replaceChildren(this.prediction, [
      el('div', { attrs: { 'data-testid': 'review-current' } }, [
        el('span', { text: 'Current label: ' }),
        current ? el('strong', { text: current.labels.join(', ') }) : el('em', { text: 'none' }),
        current ? el('span', { className: 'al-hint', text: ` · ${current.annotator || 'unknown'} (${current.source})` }) : null,
        current ? el('span', { className: 'al-hint', text: ' · ' }) : null,
        current ? kbd(keyLabel(keepKey)) : null,
        current ? el('span', { className: 'al-hint', text: ' keeps it' }) : null,
      ]),
      el('div', { attrs: { 'data-testid': 'review-suggestion' } }, [
        el('span', { text: 'Suggested: ' }),
        suggestion ? el('strong', { text: suggestion.labels.join(', ') }) : el('em', { text: 'none yet' }),
        suggestion ? el('span', { className: 'al-hint', text: ` · ${from} · ` }) : null,
        suggestion ? kbd(keyLabel(confirmKey)) : null,
        el('span', { className: 'al-hint', text: suggestion ? ' accepts, a label key sets another' : ' · a label key sets one' }),
      ]),
    ]);
  }

  private renderWhy(item: QueueItem | null): void {
    if (!item) {
      this.why.textContent = '';
      return;
    }
    const { strategy, score, cluster, detail } = item.reason;
    const parts = [`${strategy}`, `score ${formatScore(score)}`];
    if (cluster !== undefined) parts.push(`cluster ${cluster}`);
    replaceChildren(this.why, [
      el('span', { className: 'al-why-title', text: 'Why this item: ' }),
      el('span', { text: parts.join(' · ') }),
      detail ? el('div', { className: 'al-why-detail', text: detail }) : null,
    ]);
  }

  private renderLabels(view: CardView): void {
    const { config, item, selection, browsing } = view;
    if (!config) {
      replaceChildren(this.labels, []);
      return;
    }
    const chosen = browsing?.outcome.kind === 'label' ? new Set(browsing.outcome.labels) : new Set<string>();
    // In the review queue the suggested label is pre-selected (multi mode: it starts toggled, see app.ts).
    if (!browsing && item?.review && item.suggestion && config.mode === 'single') for (const l of item.suggestion.labels) chosen.add(l);
    if (config.mode === 'binary') {
      const question = item?.question ?? config.labels[0]?.name ?? '';
      replaceChildren(this.labels, [
        el('div', { className: 'al-question', text: `Is this "${question}"?` }),
        this.labelButton('Accept', config.keymap.accept, { kind: 'accept' }, browsing?.outcome.kind === 'label' && browsing.outcome.answer === 'accept'),
        this.labelButton('Reject', config.keymap.reject, { kind: 'reject' }, browsing?.outcome.kind === 'label' && browsing.outcome.answer === 'reject'),
      ]);
      return;
    }
    const buttons = config.labels.map((label, index) =>
      this.labelButton(label.name, label.key, { kind: 'label', index }, selection.has(label.name) || chosen.has(label.name)),
    );
    if (config.mode === 'multi') buttons.push(this.labelButton('Submit', config.keymap.confirm, { kind: 'confirm' }, false));
    replaceChildren(this.labels, buttons);
  }

  private labelButton(name: string, key: string, action: KeyAction, active: boolean): HTMLButtonElement {
    const node = button('', () => this.onAction(action), {
      className: active ? 'al-label al-active' : 'al-label',
      attrs: { 'data-label': name, 'aria-pressed': String(active), 'aria-keyshortcuts': ariaKeyShortcut(key) },
    }, [kbd(keyLabel(key)), el('span', { className: 'al-label-name', text: name })]);
    return node;
  }

  private renderHints(config: InitMessage | null, reviewing: boolean): void {
    if (!config) {
      replaceChildren(this.hints, []);
      return;
    }
    const { keymap } = config;
    const hint = (key: string, text: string, action: KeyAction): HTMLElement =>
      button('', () => this.onAction(action), { className: 'al-hint-button', attrs: { 'data-hint': action.kind, 'aria-keyshortcuts': ariaKeyShortcut(key) } }, [kbd(keyLabel(key)), el('span', { text: ` ${text}` })]);
    if (reviewing) {
      replaceChildren(this.hints, [
        hint(keymap.confirm, 'accept suggestion', { kind: 'confirm' }),
        hint(keymap.keep, 'keep current', { kind: 'keep' }),
        hint(keymap.undo, 'undo', { kind: 'undo' }),
        hint(keymap.skip, 'skip', { kind: 'skip' }),
        hint(keymap.back, 'history', { kind: 'back' }),
        hint(keymap.review, 'labeling', { kind: 'review' }),
        hint(keymap.help, 'shortcuts', { kind: 'help' }),
      ]);
      return;
    }
    replaceChildren(this.hints, [
      hint(keymap.skip, 'skip', { kind: 'skip' }),
      hint(keymap.undo, 'undo', { kind: 'undo' }),
      hint(keymap.flag, 'flag', { kind: 'flag' }),
      hint(keymap.back, 'history', { kind: 'back' }),
      hint(keymap.review, 'review queue', { kind: 'review' }),
      hint(keymap.help, 'shortcuts', { kind: 'help' }),
    ]);
  }
}

/** "model 0.94", "the file", "annotator bob". */
function suggestionSource(s: NonNullable<QueueItem['suggestion']>): string {
  const score = s.score !== undefined ? ` ${s.score.toFixed(2)}` : '';
  switch (s.from) {
    case 'model':
      return `model${score}`;
    case 'file':
      return `the file${score ? ` · model${score}` : ''}`;
    case 'annotator':
      return `annotator ${s.annotator ?? ''}`.trim();
  }
}

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'label':
      if (outcome.answer) return `${outcome.answer === 'accept' ? 'accepted' : 'rejected'} ${outcome.labels.join(', ')}`;
      return outcome.labels.length > 0 ? `labeled ${outcome.labels.join(', ')}` : 'labeled (none)';
    case 'skip':
      return 'skipped';
    case 'flag':
      return 'flagged';
  }
}

/** What the card says after an undo: what was taken back, and from which item. */
export function describeUndo(outcome: Outcome, text: string): string {
  const snippet = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  const what =
    outcome.kind === 'label'
      ? outcome.answer
        ? `the ${outcome.answer === 'accept' ? 'accept' : 'reject'} of “${outcome.labels.join(', ')}”`
        : `the label “${outcome.labels.join(', ')}”`
      : `the ${outcome.kind}`;
  return `Undid ${what} on “${snippet}”`;
}

/** The `?` overlay: every shortcut, generated from the keymap actually in use. */
export function renderOverlay(config: InitMessage | null, onClose: () => void): HTMLElement {
  const rows: [string, string][] = [];
  if (config) {
    const { keymap } = config;
    if (config.mode === 'binary') {
      rows.push([keymap.accept, 'Accept the label asked about'], [keymap.reject, 'Reject it']);
    } else {
      for (const label of config.labels) if (label.key) rows.push([label.key, config.mode === 'multi' ? `Toggle “${label.name}”` : `Label “${label.name}”`]);
    }
    rows.push(
      [keymap.confirm, config.mode === 'multi' ? 'Submit the toggled labels (or the prediction)' : 'Confirm the predicted label'],
      [keymap.skip, 'Skip this item'],
      [keymap.undo, 'Undo the last action'],
      [keymap.flag, 'Flag for review and move on'],
      [keymap.back, 'Back through recent items (relabel them)'],
      [keymap.review, 'Switch between labeling and the review queue'],
      [keymap.keep, 'Review queue: keep the current label as reviewed'],
      [keymap.forward, 'Forward towards the current item'],
      [keymap.help, 'Show or hide these shortcuts'],
      ['Escape', 'Close this overlay'],
    );
  }
  const table = el('table', { className: 'al-shortcuts' }, [
    el('tbody', {}, rows.map(([key, text]) => el('tr', {}, [el('td', {}, [kbd(keyLabel(key))]), el('td', { text })]))),
  ]);
  return el('div', { className: 'al-overlay', attrs: { role: 'dialog', 'aria-label': 'Keyboard shortcuts', 'data-testid': 'overlay' } }, [
    el('div', { className: 'al-overlay-panel' }, [
      el('h2', { text: 'Keyboard shortcuts' }),
      table,
      button('Close', onClose, { className: 'al-secondary' }),
    ]),
  ]);
}
