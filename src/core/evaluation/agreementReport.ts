/**
 * The "Show Agreement" report: a Markdown document built from a replayed label log. Every value
 * from data (annotator names, labels, item ids, file names) goes through markdownText, so it is shown
 * as text and never becomes markup.
 */
import { disagreements } from '../labels/adjudication';
import { labelKey } from '../labels/labelRule';
import type { CurrentLabel } from '../labels/state';
import { markdownText as md } from '../../shared/markdownText';
import { agreementSummary, type AgreementSummary, type Annotation, type PairAgreement } from './agreement';

export interface AgreementReportInput {
  /** Shown in the title, e.g. the dataset's file name. */
  readonly datasetName: string;
  /** The replayed current labels (replay(file).state). */
  readonly state: ReadonlyMap<string, CurrentLabel>;
  /** Lines of the log that could not be read (replay's problem messages). */
  readonly problems?: readonly string[];
  /** How many disagreements to list (default 20). */
  readonly listLimit?: number;
}

/**
 * Each annotator's latest label per item, as agreement statistics count them: reviews are left out,
 * since a reviewer decides after seeing the others' labels, and a multi-label choice is one value.
 */
export function annotationsOf(state: ReadonlyMap<string, CurrentLabel>): Annotation[] {
  const out: Annotation[] = [];
  for (const current of state.values()) {
    for (const vote of current.annotators) {
      if (vote.event.source !== 'review') out.push({ item: current.itemId, annotator: vote.annotator, label: labelKey(vote.labels) });
    }
  }
  return out;
}

export function agreementReport(input: AgreementReportInput): string {
  const annotations = annotationsOf(input.state);
  const summary = agreementSummary(annotations);
  const lines: string[] = [`# Annotator agreement: ${md(input.datasetName)}`, ''];
  if (summary.annotators.length === 0) {
    lines.push('Nobody has labeled this dataset yet, so there is no agreement to measure.', '');
  } else if (summary.annotators.length === 1) {
    lines.push(...singleAnnotator(summary.annotators[0] as string, summary.items));
  } else {
    lines.push(...overview(summary, annotations, input.state));
    lines.push(...kappaTable(summary.pairs));
    lines.push(...alphaSection(summary));
    for (const pair of summary.pairs) lines.push(...confusionTable(pair));
    lines.push(...disagreementList(input.state, input.listLimit ?? 20));
  }
  lines.push(...ruleSection());
  const problems = input.problems ?? [];
  if (problems.length > 0) {
    lines.push('## Log lines that could not be read', '');
    for (const p of problems.slice(0, 10)) lines.push(`- ${md(p)}`);
    if (problems.length > 10) lines.push(`- …and ${problems.length - 10} more (the Active Label output channel lists them when a session starts)`);
    lines.push('');
  }
  return lines.join('\n');
}

function singleAnnotator(annotator: string, items: number): string[] {
  return [
    `Only one annotator, **${md(annotator)}**, has labeled this dataset (${count(items, 'item')}), so there is no agreement to measure yet.`,
    '',
    'To get a second annotator:',
    '',
    '1. the second annotator makes a branch of the repository (`git switch -c bob`), labels in Active Label and commits `.activelabel/`;',
    '2. merge the branches (`git merge bob`). Active Label ships `.activelabel/.gitattributes` with `merge=union` for the label logs, so both logs\' events are kept without a conflict;',
    '3. run **Active Label: Show Agreement** again.',
    '',
    'Labels imported from a file count as an annotator of their own (`import:<file>`).',
    '',
  ];
}

function overview(summary: AgreementSummary, annotations: readonly Annotation[], state: ReadonlyMap<string, CurrentLabel>): string[] {
  const perAnnotator = new Map<string, number>();
  for (const a of annotations) perAnnotator.set(a.annotator, (perAnnotator.get(a.annotator) ?? 0) + 1);
  let shared = 0;
  let disagree = 0;
  let settled = 0;
  for (const current of state.values()) {
    if (current.annotators.filter((v) => v.event.source !== 'review').length >= 2) shared++;
    if (current.disagree) {
      disagree++;
      if (current.decidedBy === 'review') settled++;
    }
  }
  const who = summary.annotators.map((a) => `${md(a)} (${count(perAnnotator.get(a) ?? 0, 'item')})`).join(', ');
  return [
    `**${summary.annotators.length} annotators** labeled ${count(summary.items, 'item')}: ${who}.`,
    '',
    `${count(shared, 'item')} ${shared === 1 ? 'was' : 'were'} labeled by two or more annotators; on ${disagree} of them the ` +
      `labels differ: ${settled} settled by a review, ${disagree - settled} waiting for one.`,
    '',
  ];
}

function kappaTable(pairs: readonly PairAgreement[]): string[] {
  const rows = pairs.map((p) => {
    const same = p.items === 0 ? '–' : `${p.agreed} (${((100 * p.agreed) / p.items).toFixed(1)}%)`;
    return `| ${md(p.a)} | ${md(p.b)} | ${p.items} | ${same} | ${p.kappa === null ? 'n/a (no shared items)' : p.kappa.toFixed(3)} |`;
  });
  return [
    "## Cohen's κ per pair of annotators",
    '',
    'On the items both annotators labeled (1 is perfect agreement, 0 is what chance gives).',
    '',
    "| Annotator | Annotator | Items both labeled | Same label | Cohen's κ |",
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ];
}

function alphaSection(summary: AgreementSummary): string[] {
  const alpha = summary.alpha;
  if (alpha === null) return [];
  const value =
    alpha.alpha === null
      ? 'undefined: fewer than two labels on a shared item, or only one label in use'
      : `**${alpha.alpha.toFixed(3)}**`;
  return [
    "## Krippendorff's α (nominal)",
    '',
    `α = ${value}, over all ${summary.annotators.length} annotators together: ${count(alpha.values, 'label')} on the ` +
      `${count(alpha.units, 'item')} labeled by two or more (an annotator who did not label an item is missing data, not a disagreement).`,
    '',
  ];
}

function confusionTable(pair: PairAgreement): string[] {
  if (pair.items === 0) return [];
  const { labels, counts } = pair.confusion;
  const header = `| ${md(pair.a)} ↓ / ${md(pair.b)} → | ${labels.map((l) => display(l)).join(' | ')} |`;
  const rows = labels.map((l, i) => `| **${display(l)}** | ${(counts[i] ?? []).join(' | ')} |`);
  return [
    `## Confusion: ${md(pair.a)} and ${md(pair.b)}`,
    '',
    `Rows: ${md(pair.a)}'s label; columns: ${md(pair.b)}'s label; the diagonal is agreement.`,
    '',
    header,
    `| --- | ${labels.map(() => '---:').join(' | ')} |`,
    ...rows,
    '',
  ];
}

function disagreementList(state: ReadonlyMap<string, CurrentLabel>, limit: number): string[] {
  const open = disagreements(state);
  if (open.length === 0) return ['## Disagreements', '', 'No disagreement waits for a review.', ''];
  const rows = open.slice(0, limit).map((d) => {
    const votes = d.annotators.map((v) => `${md(v.annotator)}: ${display(labelKey(v.labels))}`).join('; ');
    return `| ${md(shorten(d.itemId))} | ${votes} | ${display(labelKey(d.current))} |`;
  });
  const more = open.length > limit ? [`…and ${open.length - limit} more.`, ''] : [];
  return [
    `## Disagreements waiting for a review (${open.length}, most recent first)`,
    '',
    "A reviewer's decision (a `review` event) settles an item. Until then its current label is the latest label.",
    '',
    '| Item | Labels | Current label |',
    '| --- | --- | --- |',
    ...rows,
    '',
    ...more,
  ];
}

function ruleSection(): string[] {
  return [
    '## How the current label is decided',
    '',
    "Replay keeps each annotator's latest label per item. The current label is:",
    '',
    '1. the latest **review** (a `review` event, e.g. a correction in the review queue), else',
    "2. the annotators' label when they all **agree**, else",
    '3. the **latest** label in the log.',
    '',
    'κ and α count annotators\' labels only: reviews are adjudications made after seeing the others\' labels. ' +
      'A multi-label choice counts as one value (the set).',
    '',
  ];
}

/** A label set's key (labelKey) as readable, escaped text. */
function display(key: string): string {
  const labels = JSON.parse(key) as string[];
  return labels.map((l) => md(l)).join(' + ');
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
