/**
 * The hover over an item line, as Markdown text: its label history (who, when, source, strategy),
 * the top-3 predictions and a command link per label to set it. Everything from the data (labels,
 * names, strategies) is escaped, so a label such as `[x](command:...)` shows as text and can never
 * become a link; the only links are ours, to APPLY_COMMAND, which the host's MarkdownString
 * trusts alone (`isTrusted: { enabledCommands: [APPLY_COMMAND] }`).
 */
import type { LabelEvent } from '../../core/labels/events';
import { formatProbability, oneLine, type ItemReview } from '../../core/review/itemView';
import type { ReviewDecision } from '../../core/review/reviewEvents';

/** The internal command that writes decisions (hover links, quick fixes). */
export const APPLY_COMMAND = 'activeLabel.applyReview';

export interface ApplyArgs {
  readonly file: string;
  readonly decisions: readonly ReviewDecision[];
}

const MAX_HISTORY = 8;

/** Escapes Markdown and HTML so data text renders literally. */
export function escapeMarkdown(text: string): string {
  return oneLine(text, 200).replace(/[\\`*_{}[\]()#+\-.!|<>~&"']/g, (c) => `\\${c}`);
}

export function commandLink(title: string, args: ApplyArgs): string {
  return `[${escapeMarkdown(title)}](command:${APPLY_COMMAND}?${encodeURIComponent(JSON.stringify([args]))})`;
}

/** The hover's Markdown for one item. `labels` are the label set, in key order, with their keys. */
export function hoverMarkdown(
  file: string,
  itemId: string,
  review: ItemReview,
  history: readonly LabelEvent[],
  labels: readonly { readonly name: string; readonly key: string }[],
): string {
  const parts: string[] = [];
  const { human, suspect, top } = review;
  parts.push(`**Active Label** · item ${escapeMarkdown(itemId)}`);
  if (suspect !== undefined && human?.labels[0] === suspect.given) {
    parts.push(`⚠ Labeled ${escapeMarkdown(suspect.given)} but the model predicts ${escapeMarkdown(suspect.suggested)} (${formatProbability(suspect.suggestedProb)})`);
  }
  const shown = history.filter((e) => e.type !== 'skip').slice(-MAX_HISTORY);
  if (shown.length > 0) {
    parts.push('**History**');
    parts.push(shown.map((e) => `- ${describeEvent(e)}`).join('\n'));
  } else if (human !== undefined) {
    parts.push(`**Label:** ${human.labels.map(escapeMarkdown).join(', ')} · ${escapeMarkdown(human.annotator)} · ${escapeMarkdown(human.source)}`);
  } else {
    parts.push('No label yet.');
  }
  if (top.length > 0) parts.push(`**Predicted:** ${top.map((p) => `${escapeMarkdown(p.label)} ${formatProbability(p.probability)}`).join(' · ')}`);
  if (labels.length > 0) {
    const score = suspect !== undefined ? suspect.score : undefined;
    const links = labels.map((l) => {
      const decision: ReviewDecision = { itemId, labels: [l.name], ...(score !== undefined ? { score, fromSuspect: true } : {}) };
      return `${commandLink(l.name, { file, decisions: [decision] })}${l.key !== '' ? ` (${escapeMarkdown(l.key)})` : ''}`;
    });
    parts.push(`**Set label:** ${links.join(' · ')}`);
  }
  return parts.join('\n\n');
}

function describeEvent(e: LabelEvent): string {
  const when = escapeMarkdown(e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
  const who = escapeMarkdown(e.annotator || 'unknown');
  const via = `${escapeMarkdown(e.source)}${e.strategy !== undefined ? `, ${escapeMarkdown(e.strategy)}` : ''}`;
  switch (e.type) {
    case 'label':
      return `${e.labels.map(escapeMarkdown).join(', ')} · ${who} · ${when} · ${via}`;
    case 'flag':
      return `flagged · ${who} · ${when}`;
    case 'undo':
      return `undo · ${who} · ${when}`;
    case 'skip':
      return `skipped · ${who} · ${when}`;
  }
}
