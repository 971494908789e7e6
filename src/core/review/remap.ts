/**
 * Applies a document's edits to its mapping instead of mapping the text again:
 * 1. each change removes the records on the lines it replaces, shifts the records below it by the
 *    lines it adds or removes, and marks its new lines dirty (a multi-line CSV record it touches is
 *    dirty as a whole);
 * 2. the dirty lines are read again from the text after the edit. CSV: from the first line of the
 *    touched record, framed on until the framing is outside a quoted field at a line where the old
 *    framing started a record too (so a quote typed or deleted reframes as far as it reaches);
 * 3. only the rows linked to a removed or added row by a text hash or an id are resolved again
 *    (itemStore.ts), so first-copy-wins duplicates and reused ids stay as a full recompute has them.
 * It declines (the caller maps the text again) when a change touches the CSV header, which gives
 * every record its meaning, or when the line count it arrives at is not the document's.
 */
import { ItemStore, Rec } from './itemStore';
import { isCsv, parseRecord, type LineLayout } from './recordParse';
import type { LineSource, TextChange } from './textChanges';
import { isRecordLine, lineBreaks, recordScanner, type TextRecord } from './textRecords';

/** The mapping's state between edits. */
export interface MapState {
  readonly store: ItemStore;
  /** CSV/TSV column names (the header's, or the layout's). */
  readonly columns: readonly string[];
  /** CSV/TSV with a header: the header record's last line; undefined while there is none. */
  readonly headerEnd: number | undefined;
  /** Lines of the mapped text. */
  lineCount: number;
}

interface Dirty {
  a: number;
  b: number;
}

/** Applies `changes` in place; false when the caller must map the whole text instead. */
export function remap(state: MapState, layout: LineLayout, changes: readonly TextChange[], source: LineSource): boolean {
  const { store } = state;
  const csv = isCsv(layout.format);
  const removed: Rec[] = [];
  let dirty: Dirty[] = [];
  for (const change of changes) {
    const sL = change.range.start.line;
    const eL = change.range.end.line;
    if (csv && layout.hasHeader && (state.headerEnd === undefined || sL <= state.headerEnd)) return false;
    const k = lineBreaks(change.text);
    const delta = k - (eL - sL);
    const i0 = store.firstEndingAtOrAfter(sL);
    let i1 = i0;
    while (i1 < store.recs.length && (store.recs[i1] as Rec).line <= eL) i1++;
    const gone = store.removeRange(i0, i1);
    let a = sL;
    let b = sL + k;
    if (gone.length > 0) {
      a = Math.min(a, (gone[0] as Rec).line);
      const lastEnd = (gone[gone.length - 1] as Rec).endLine;
      if (lastEnd > eL) b = Math.max(b, lastEnd + delta);
      for (const r of gone) removed.push(r);
    }
    store.shiftFrom(i0, delta);
    const next: Dirty[] = [];
    for (const d of dirty) {
      if (d.b < sL) next.push(d);
      else if (d.a > eL) next.push({ a: d.a + delta, b: d.b + delta });
      else {
        a = Math.min(a, d.a);
        if (d.b > eL) b = Math.max(b, d.b + delta);
      }
    }
    next.push({ a, b });
    dirty = next;
    state.lineCount += delta;
  }
  if (state.lineCount !== source.lineCount) return false;
  dirty.sort((x, y) => x.a - y.a);
  const added: Rec[] = [];
  const last = source.lineCount - 1;
  for (let idx = 0; idx < dirty.length; ) {
    const d = dirty[idx++] as Dirty;
    const a = Math.max(0, d.a);
    let b = Math.min(last, d.b);
    let records: TextRecord[];
    for (;;) {
      while (idx < dirty.length && (dirty[idx] as Dirty).a <= b + 1) b = Math.min(last, Math.max(b, (dirty[idx++] as Dirty).b));
      // Records still on these lines (a CSV reframing running into them) are read again too.
      const i0 = store.firstEndingAtOrAfter(a);
      let i1 = i0;
      while (i1 < store.recs.length && (store.recs[i1] as Rec).line <= b) i1++;
      const gone = store.removeRange(i0, i1);
      for (const r of gone) removed.push(r);
      const lastEnd = gone.length > 0 ? (gone[gone.length - 1] as Rec).endLine : -1;
      if (lastEnd > b) {
        b = lastEnd;
        continue;
      }
      if (!csv) {
        records = [];
        for (let i = a; i <= b; i++) {
          const text = i === 0 ? stripBom(source.line(i)) : source.line(i);
          if (isRecordLine(text)) records.push({ line: i, endLine: i, text });
        }
        break;
      }
      const scanner = recordScanner(source.lines(a, b), layout.format, a);
      records = [];
      scanner.scan(Infinity, records);
      if (scanner.openQuote && b < last) {
        b = Math.min(last, b + Math.max(64, b - a + 1));
        continue;
      }
      break;
    }
    const fresh = records.map((t) => new Rec(t.line, t.endLine, parseRecord(layout, t.text, state.columns)));
    store.insertAt(store.firstEndingAtOrAfter(a), fresh);
    for (const r of fresh) added.push(r);
  }
  store.resolveAround(removed, added);
  return true;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
