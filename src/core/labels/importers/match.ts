/**
 * Turns parsed import records into `import` events for one dataset. Pure: the caller appends them.
 * - An item is found by id; else by its text (normalized: NFC, trimmed, whitespace collapsed). An
 *   id whose item has a different text is not trusted (doccano and Label Studio number their own
 *   tasks), so the text decides. A record that finds no item is reported with `file:line`.
 * - Label names map onto the session's labels exactly, else case-insensitively when that is
 *   unambiguous. A record with a name the session does not have is reported, never added.
 * - Single and binary modes take one label per record; more is reported.
 * - An item whose label in effect was given here (queue, review, edit) keeps it: the import is
 *   reported as `kept-existing` unless `overwrite` is set.
 * - Event ids derive from (tool, item, annotator, labels), so importing the same export twice adds
 *   nothing, and an import that was undone is not brought back.
 */
import { createHash } from 'node:crypto';
import { normalizeText } from '../../dataset/normalize';
import type { DatasetItem, LabelMode } from '../../types';
import type { LabelEventInput } from '../events';
import type { CurrentLabel } from '../state';
import type { ImportNote, ImportTool, ParsedImport } from './types';

export type MatchProblemKind = 'unmatched' | 'unknown-label' | 'too-many-labels' | 'kept-existing';

export interface ImportProblem {
  readonly file: string;
  readonly line: number;
  readonly kind: ImportNote['kind'] | MatchProblemKind;
  readonly message: string;
}

export interface MatchOptions {
  /** The session's label names (binary mode: the label and its "not" label). */
  readonly labels: readonly string[];
  readonly mode: LabelMode;
  /** The annotator of records that name none, e.g. `import:prodigy.jsonl`. */
  readonly defaultAnnotator: string;
  /** Replace labels given here with imported ones (default false: they are kept). */
  readonly overwrite?: boolean;
}

export interface ImportSummary {
  readonly tool: ImportTool;
  /** Records the parser read (one per judgement). */
  readonly records: number;
  /** Events to append. */
  readonly imported: number;
  /** Records already in the log (this export, or this judgement, was imported before). */
  readonly alreadyImported: number;
  readonly keptExisting: number;
  readonly unmatched: number;
  readonly unknownLabel: number;
  readonly tooManyLabels: number;
  /** Lines the parser did not turn into records (invalid JSON, rejected, cancelled...). */
  readonly notRecords: number;
  /** Unknown label names and how often each occurred. */
  readonly unknownLabels: Readonly<Record<string, number>>;
}

export interface MatchResult {
  readonly events: LabelEventInput[];
  readonly summary: ImportSummary;
  /** Every line not imported, with the reason, in file order. */
  readonly problems: ImportProblem[];
}

export function matchImport(
  parsed: ParsedImport,
  items: Iterable<Pick<DatasetItem, 'id' | 'text'>>,
  existing: { readonly state: ReadonlyMap<string, CurrentLabel>; readonly eventIds: ReadonlySet<string> },
  options: MatchOptions,
): MatchResult {
  const byId = new Map<string, Pick<DatasetItem, 'id' | 'text'>>();
  const byText = new Map<string, Pick<DatasetItem, 'id' | 'text'>>();
  for (const item of items) {
    byId.set(item.id, item);
    const key = normalizeText(item.text);
    if (!byText.has(key)) byText.set(key, item);
  }
  const labelOf = labelResolver(options.labels);
  const events: LabelEventInput[] = [];
  const problems: ImportProblem[] = [...parsed.notes];
  const produced = new Set<string>();
  const unknownLabels: Record<string, number> = {};
  let alreadyImported = 0;
  let keptExisting = 0;
  let unmatched = 0;
  let unknownLabel = 0;
  let tooManyLabels = 0;
  const problem = (r: { file: string; line: number }, kind: MatchProblemKind, detail: string): void => {
    problems.push({ file: r.file, line: r.line, kind, message: `${r.file}:${r.line}: ${detail}` });
  };

  for (const record of parsed.records) {
    const ref = record.itemRef;
    const textKey = ref.text === undefined ? undefined : normalizeText(ref.text);
    let item = ref.id === undefined ? undefined : byId.get(ref.id);
    if (item !== undefined && textKey !== undefined && normalizeText(item.text) !== textKey) item = undefined;
    if (item === undefined && textKey !== undefined) item = byText.get(textKey);
    if (item === undefined) {
      unmatched++;
      const by = [ref.id !== undefined ? `id ${JSON.stringify(ref.id)}` : '', ref.text !== undefined ? `the text ${quote(ref.text)}` : ''].filter(Boolean).join(' or ');
      problem(record, 'unmatched', `no item of the dataset has ${by}; not imported (was the export made from another file, or the text edited?).`);
      continue;
    }
    const mapped = record.labels.map((l) => ({ raw: l, label: labelOf(l) }));
    const unknown = mapped.filter((m) => m.label === undefined).map((m) => m.raw);
    if (unknown.length > 0) {
      unknownLabel++;
      for (const name of unknown) unknownLabels[name] = (unknownLabels[name] ?? 0) + 1;
      const known = options.labels.map((l) => `"${l}"`).join(', ');
      problem(record, 'unknown-label', `unknown label ${unknown.map((l) => JSON.stringify(l)).join(', ')}; this dataset's labels are ${known}. Not imported: add the label with Configure Labels, then import again.`);
      continue;
    }
    const labels = [...new Set(mapped.map((m) => m.label as string))];
    if (options.mode !== 'multi' && labels.length > 1) {
      tooManyLabels++;
      problem(record, 'too-many-labels', `${labels.length} labels (${labels.join(', ')}) but the dataset is labeled in ${options.mode}-label mode, one label per item; not imported.`);
      continue;
    }
    const current = existing.state.get(item.id);
    if (!options.overwrite && current?.labeled === true && current.labelEvent !== undefined && current.labelEvent.source !== 'import') {
      keptExisting++;
      problem(record, 'kept-existing', `item ${JSON.stringify(item.id)} already has the label ${current.labels.join(', ')} given here (${current.labelEvent.source}); kept, the import was left out.`);
      continue;
    }
    const annotator = record.annotator ?? options.defaultAnnotator;
    const eventId = importEventId(record.sourceTool, item.id, annotator, labels);
    if (existing.eventIds.has(eventId) || produced.has(eventId)) {
      alreadyImported++;
      continue;
    }
    produced.add(eventId);
    events.push({ type: 'label', eventId, itemId: item.id, labels, annotator, source: 'import', tool: record.sourceTool });
  }
  problems.sort((a, b) => a.line - b.line);
  return {
    events,
    problems,
    summary: {
      tool: parsed.tool,
      records: parsed.records.length,
      imported: events.length,
      alreadyImported,
      keptExisting,
      unmatched,
      unknownLabel,
      tooManyLabels,
      notRecords: parsed.notes.length,
      unknownLabels,
    },
  };
}

/** Exact name, else the one name equal ignoring case; undefined when none or ambiguous. */
function labelResolver(labels: readonly string[]): (name: string) => string | undefined {
  const exact = new Set(labels);
  const folded = new Map<string, string | null>();
  for (const l of labels) {
    const key = l.toLocaleLowerCase('en-US');
    folded.set(key, folded.has(key) ? null : l);
  }
  return (name) => {
    if (exact.has(name)) return name;
    return folded.get(name.trim().toLocaleLowerCase('en-US')) ?? undefined;
  };
}

/** Stable per judgement, so a second import of the same export is recognised in the log. */
export function importEventId(tool: string, itemId: string, annotator: string, labels: readonly string[]): string {
  const key = JSON.stringify([tool, itemId, annotator, [...labels].sort()]);
  return `imp-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24)}`;
}

function quote(text: string): string {
  const t = normalizeText(text);
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}

/** One plain-text paragraph for a notification: counts, then what was left out. */
export function summaryText(s: ImportSummary, file: string): string {
  const parts = [`Imported ${s.imported} label${s.imported === 1 ? '' : 's'} from ${file} (${s.tool}).`];
  if (s.alreadyImported > 0) parts.push(`${s.alreadyImported} were already imported.`);
  if (s.keptExisting > 0) parts.push(`${s.keptExisting} items kept the label given here.`);
  if (s.unmatched > 0) parts.push(`${s.unmatched} matched no item.`);
  const names = Object.entries(s.unknownLabels).map(([name, n]) => `"${name}" (${n})`);
  if (s.unknownLabel > 0) parts.push(`${s.unknownLabel} had unknown labels: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}.`);
  if (s.tooManyLabels > 0) parts.push(`${s.tooManyLabels} had more than one label.`);
  if (s.notRecords > 0) parts.push(`${s.notRecords} lines were not labels (rejected, ignored, cancelled, unlabeled or invalid).`);
  return parts.join(' ');
}
