/**
 * Which item each line of a dataset file is, and which lines each item is on, with the loader's
 * own rules (builder.ts, see itemStore.ts), so a label never lands on the wrong line:
 * - an item's id is its explicit id field when the row has one, else `h:<hash of normalized text>`;
 *   so a row with an explicit id keeps its id (and its labels) when its text is edited, and a row
 *   without one becomes another item (its old labels are not carried over);
 * - inserted and deleted lines move nothing: ids come from content, never from line numbers;
 * - a row whose text repeats an earlier row's is that earlier item (first occurrence wins), so
 *   duplicated lines show the same item;
 * - a row reusing an earlier row's explicit id with another text, a row without usable text and a
 *   row that does not parse are no item (the loader skips them too).
 *
 * A mapper keeps one live mapping per open document: built once from the whole text (`map`, or
 * `startBuild` a slice at a time so the host stays responsive), then updated from the editor's
 * change events (`applyChanges`, remap.ts), which costs the edited lines, not the file.
 */
import { ItemStore, Rec, newFirsts, resolveNext, type Firsts, type LineItem, type UnmappedLine } from './itemStore';
import { headerColumns, isCsv, parseRecord, type LineLayout } from './recordParse';
import { remap, type MapState } from './remap';
import { touchedLines, type LineSource, type TextChange } from './textChanges';
import { recordScanner, type RecordScanner, type TextRecord } from './textRecords';

export type { LineItem, UnmappedLine } from './itemStore';
export type { LineLayout } from './recordParse';

/**
 * The mapping of a text. The mapper's current one is live: `applyChanges` updates it in place, so
 * it always describes the latest text given to the mapper. Lines between items (blank, header, bad
 * rows) map to nothing.
 */
export class LineItemMap {
  private itemsCache: { version: number; items: LineItem[] } | undefined;

  constructor(private readonly store: ItemStore) {}

  /** The items, in line order. */
  get items(): readonly LineItem[] {
    if (this.itemsCache?.version !== this.store.version) this.itemsCache = { version: this.store.version, items: this.store.recs.filter((r) => r.mapped) };
    return this.itemsCache.items;
  }

  /** The records that are no item, with why, in line order. */
  get unmapped(): readonly UnmappedLine[] {
    return this.store.recs.filter((r) => !r.mapped).map((r) => ({ line: r.line, why: r.why }));
  }

  /** The item whose record covers the zero-based line, if any. Binary search: O(log n). */
  itemAt(line: number): LineItem | undefined {
    const r = this.store.recs[this.store.firstEndingAtOrAfter(line)];
    return r !== undefined && r.line <= line && r.mapped ? r : undefined;
  }

  /** The items whose records overlap lines [from, to] (zero-based, inclusive), in line order. */
  itemsBetween(from: number, to: number): LineItem[] {
    const list = this.store.recs;
    const out: LineItem[] = [];
    for (let i = this.store.firstEndingAtOrAfter(from); i < list.length && (list[i] as Rec).line <= to; i++) {
      if ((list[i] as Rec).mapped) out.push(list[i] as Rec);
    }
    return out;
  }

  /** Every occurrence of the item (more than one when its text is duplicated), in line order. */
  linesOf(itemId: string): readonly LineItem[] {
    const first = this.store.withId(itemId).find((r) => r.mapped && !r.duplicate && r.itemId === itemId);
    if (first === undefined) return [];
    return this.store.withHash(first.textHash).filter((r) => r.mapped && r.itemId === itemId);
  }
}

/** Maps a whole text a slice of lines at a time; the mapper adopts the result when it is done. */
export class MapBuild {
  private readonly scanner: RecordScanner;
  private readonly store = new ItemStore();
  private readonly firsts: Firsts = newFirsts();
  private columns: readonly string[];
  private headerEnd: number | undefined;
  private finished = false;

  constructor(
    private readonly layout: LineLayout,
    text: string,
    private readonly adopt: (state: MapState, build: MapBuild) => void,
  ) {
    this.scanner = recordScanner(text, layout.format);
    this.columns = layout.columns ?? [];
  }

  get done(): boolean {
    return this.finished;
  }

  /** Maps about `maxLines` more lines; true once the whole text is mapped (and adopted). */
  step(maxLines: number): boolean {
    if (this.finished) return true;
    const records: TextRecord[] = [];
    const done = this.scanner.scan(maxLines, records);
    const { layout, store, firsts } = this;
    for (const record of records) {
      if (isCsv(layout.format) && layout.hasHeader && this.headerEnd === undefined) {
        this.columns = headerColumns(record.text, layout.format);
        this.headerEnd = record.endLine;
        continue;
      }
      const r = new Rec(record.line, record.endLine, parseRecord(layout, record.text, this.columns));
      resolveNext(r, firsts);
      store.append(r);
    }
    if (done) {
      this.finished = true;
      this.adopt({ store, columns: this.columns, headerEnd: this.headerEnd, lineCount: this.scanner.lineCount }, this);
    }
    return done;
  }
}

export interface MapperOptions {
  /** Edits touching more lines than this are mapped again in full (in slices, by the host). */
  readonly maxIncrementalLines: number;
  /** Events with more changes than this (many cursors) are mapped again in full. */
  readonly maxIncrementalChanges: number;
}

export const defaultMapperOptions: MapperOptions = { maxIncrementalLines: 20_000, maxIncrementalChanges: 64 };

/** Keep one per open document. */
export class LineItemMapper {
  private state: MapState | undefined;
  private live: LineItemMap | undefined;
  private latest: MapBuild | undefined;

  constructor(
    readonly layout: LineLayout,
    readonly options: MapperOptions = defaultMapperOptions,
  ) {}

  /** The mapping of the latest text, once one has been built. */
  get current(): LineItemMap | undefined {
    return this.live;
  }

  /** Maps the whole text now (blocking: prefer `startBuild` for a big open document). */
  map(text: string): LineItemMap {
    const build = this.startBuild(text);
    build.step(Infinity);
    return this.live as LineItemMap;
  }

  /** A build of the whole text; the mapping it yields becomes current unless a newer build started. */
  startBuild(text: string): MapBuild {
    const build = new MapBuild(this.layout, text, (state, b) => {
      if (b !== this.latest) return;
      this.state = state;
      this.live = new LineItemMap(state.store);
    });
    this.latest = build;
    return build;
  }

  /** True when `changes` are better mapped again in full than applied (no mapping yet, big edits, CSV header). */
  needsFullRemap(changes: readonly TextChange[]): boolean {
    const state = this.state;
    if (state === undefined || (this.latest !== undefined && !this.latest.done)) return true;
    if (changes.length > this.options.maxIncrementalChanges || touchedLines(changes) > this.options.maxIncrementalLines) return true;
    if (isCsv(this.layout.format) && this.layout.hasHeader) {
      return changes.some((c) => state.headerEnd === undefined || c.range.start.line <= state.headerEnd);
    }
    return false;
  }

  /**
   * Applies an edit event's changes (in order) to the current mapping; `source` is the text after
   * them. Falls back to mapping `source` in full when the edit cannot be applied (see remap.ts).
   */
  applyChanges(changes: readonly TextChange[], source: LineSource): 'incremental' | 'full' {
    if (this.state !== undefined && remap(this.state, this.layout, changes, source)) return 'incremental';
    this.map(source.lineCount === 0 ? '' : source.lines(0, source.lineCount - 1));
    return 'full';
  }

  /**
   * A mapping of lines [from, to] alone, for the visible range while the full build runs: their
   * records resolved as if they were the whole file. A record's id rarely depends on other lines;
   * when it does (a duplicate whose first copy is elsewhere shows as the item itself, which for
   * hashed ids is the same id; a reused explicit id shows as an item) the full build corrects it.
   * CSV needs its framing from the top, so only ranges near the top (`csvLimit`) are mapped early.
   */
  provisional(source: LineSource, from: number, to: number, csvLimit = 5000): LineItemMap | undefined {
    const { layout } = this;
    const last = Math.min(to, source.lineCount - 1);
    const records: TextRecord[] = [];
    let columns = layout.columns ?? [];
    if (isCsv(layout.format)) {
      if (last > csvLimit) return undefined;
      const all: TextRecord[] = [];
      recordScanner(source.lines(0, last), layout.format).scan(Infinity, all);
      if (layout.hasHeader && all.length > 0) columns = headerColumns((all.shift() as TextRecord).text, layout.format);
      for (const r of all) if (r.endLine >= from) records.push(r);
    } else {
      recordScanner(source.lines(from, last), layout.format, from).scan(Infinity, records);
    }
    const store = new ItemStore();
    const firsts = newFirsts();
    for (const t of records) {
      const r = new Rec(t.line, t.endLine, parseRecord(layout, t.text, columns));
      resolveNext(r, firsts);
      store.append(r);
    }
    return new LineItemMap(store);
  }
}
