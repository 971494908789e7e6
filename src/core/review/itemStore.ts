/**
 * The records of one version of a dataset text and which item each one is, kept so that an edit
 * only revisits what it can change. The loader's rules (builder.ts), applied in line order:
 * - a row whose text repeats an earlier item's is that item (first occurrence wins): a duplicate;
 * - else its id is its explicit id field, or `h:<hash of normalized text>`; a row whose id an
 *   earlier item already has is no item (`holder` names that item, for the message);
 * - a row that does not parse, or has no usable text, is no item.
 *
 * A row's outcome depends only on earlier rows that share its text hash or its candidate id, so the
 * rows linked through shared hashes and ids (a component) can be resolved on their own. Two
 * indexes, text hash -> rows and candidate id -> rows (each in line order), find the component of
 * an edit: the keys of the removed and added rows, closed over the rows that carry them. When the
 * first copy of a duplicated text is deleted, its next copy is in that component and becomes the
 * item; when a row holding an id is deleted, the next row with that id takes it.
 */
import type { Parsed } from './recordParse';

/** The lines of one item occurrence. */
export interface LineItem {
  /** Zero-based first line. */
  readonly line: number;
  /** Zero-based last line (CSV records with quoted line breaks span several). */
  readonly endLine: number;
  readonly itemId: string;
  /** The id is the row's own id field (kept across text edits), not a text hash. */
  readonly explicitId: boolean;
  /** sha256 of the normalized text: compare to tell an edited explicit-id item. */
  readonly textHash: string;
  /** A later copy of an earlier row's text (same item). */
  readonly duplicate: boolean;
}

/** A record that is no item, with why (for a status message, never fatal). */
export interface UnmappedLine {
  readonly line: number;
  readonly why: string;
}

/** One record. Its lines are shifted in place when lines are inserted or deleted above it. */
export class Rec implements LineItem {
  itemId = '';
  explicitId = false;
  duplicate = false;
  /** The record is an item (first copy or duplicate). */
  mapped = false;
  /** Not an item because this earlier item has its id. */
  holder: Rec | undefined;

  constructor(
    public line: number,
    public endLine: number,
    readonly parsed: Parsed,
  ) {}

  get textHash(): string {
    return this.parsed.ok ? this.parsed.hash : '';
  }

  get why(): string {
    if (!this.parsed.ok) return this.parsed.why;
    return `id ${JSON.stringify(this.parsed.candidate)} is already used by line ${(this.holder?.line ?? -1) + 1} with a different text`;
  }
}

type Group = Rec | Rec[];

/** First items by text hash and by id, while resolving rows in line order. */
export interface Firsts {
  readonly byHash: Map<string, Rec>;
  readonly byId: Map<string, Rec>;
}

export function newFirsts(): Firsts {
  return { byHash: new Map(), byId: new Map() };
}

/** Resolves `r`, the next row in line order, against the items before it. */
export function resolveNext(r: Rec, firsts: Firsts): void {
  const p = r.parsed;
  r.holder = undefined;
  r.duplicate = false;
  r.mapped = false;
  r.itemId = '';
  r.explicitId = false;
  if (!p.ok) return;
  const same = firsts.byHash.get(p.hash);
  if (same !== undefined) {
    r.mapped = true;
    r.duplicate = true;
    r.itemId = same.itemId;
    r.explicitId = same.explicitId;
    return;
  }
  const holder = firsts.byId.get(p.candidate);
  if (holder !== undefined) {
    r.holder = holder;
    return;
  }
  r.mapped = true;
  r.itemId = p.candidate;
  r.explicitId = p.explicitId !== undefined;
  firsts.byHash.set(p.hash, r);
  firsts.byId.set(p.candidate, r);
}

export class ItemStore {
  /** Every record (items and not), in line order; records never overlap. */
  readonly recs: Rec[] = [];
  private readonly byHash = new Map<string, Group>();
  private readonly byId = new Map<string, Group>();
  /** Bumped on every change (views cache derived lists against it). */
  version = 0;

  /** Adds a record after every other (building in line order). */
  append(r: Rec): void {
    this.recs.push(r);
    if (r.parsed.ok) {
      appendTo(this.byHash, r.parsed.hash, r);
      appendTo(this.byId, r.parsed.candidate, r);
    }
  }

  /** Index of the first record whose last line is at or after `line`. */
  firstEndingAtOrAfter(line: number): number {
    const list = this.recs;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as Rec).endLine < line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Removes the records [from, to) and returns them. */
  removeRange(from: number, to: number): Rec[] {
    if (to <= from) return [];
    const removed = this.recs.splice(from, to - from);
    for (const r of removed) {
      if (!r.parsed.ok) continue;
      removeFrom(this.byHash, r.parsed.hash, r);
      removeFrom(this.byId, r.parsed.candidate, r);
    }
    this.version++;
    return removed;
  }

  /** Moves every record from index `from` on by `delta` lines. */
  shiftFrom(from: number, delta: number): void {
    if (delta === 0) return;
    const list = this.recs;
    for (let i = from; i < list.length; i++) {
      const r = list[i] as Rec;
      r.line += delta;
      r.endLine += delta;
    }
    this.version++;
  }

  /** Inserts records (in line order, not overlapping any) at index `at`. */
  insertAt(at: number, added: readonly Rec[]): void {
    if (added.length === 0) return;
    this.recs.splice(at, 0, ...added);
    for (const r of added) {
      if (!r.parsed.ok) continue;
      insertSorted(this.byHash, r.parsed.hash, r);
      insertSorted(this.byId, r.parsed.candidate, r);
    }
    this.version++;
  }

  /**
   * Resolves again every row whose outcome the removal of `removed` and the insertion of `added`
   * (already in the store) can change: the component of their hashes and ids.
   */
  resolveAround(removed: readonly Rec[], added: readonly Rec[]): void {
    const hashes = new Set<string>();
    const ids = new Set<string>();
    const component = new Set<Rec>();
    const queue: Rec[] = [];
    const pull = (group: Group | undefined): void => {
      if (group === undefined) return;
      for (const q of Array.isArray(group) ? group : [group]) {
        if (!component.has(q)) {
          component.add(q);
          queue.push(q);
        }
      }
    };
    const keysOf = (r: Rec): void => {
      if (!r.parsed.ok) return;
      const { hash, candidate } = r.parsed;
      if (!hashes.has(hash)) {
        hashes.add(hash);
        pull(this.byHash.get(hash));
      }
      if (!ids.has(candidate)) {
        ids.add(candidate);
        pull(this.byId.get(candidate));
      }
    };
    for (const r of removed) keysOf(r);
    for (const r of added) {
      if (r.parsed.ok) keysOf(r);
      else component.add(r);
    }
    while (queue.length > 0) keysOf(queue.pop() as Rec);
    const ordered = [...component].sort((a, b) => a.line - b.line);
    const firsts = newFirsts();
    for (const r of ordered) resolveNext(r, firsts);
    this.version++;
  }

  /** The rows with this text hash, in line order. */
  withHash(hash: string): readonly Rec[] {
    return asList(this.byHash.get(hash));
  }

  /** The rows whose candidate id is `id`, in line order. */
  withId(id: string): readonly Rec[] {
    return asList(this.byId.get(id));
  }
}

function asList(group: Group | undefined): readonly Rec[] {
  if (group === undefined) return [];
  return Array.isArray(group) ? group : [group];
}

function appendTo(index: Map<string, Group>, key: string, r: Rec): void {
  const group = index.get(key);
  if (group === undefined) index.set(key, r);
  else if (Array.isArray(group)) group.push(r);
  else index.set(key, [group, r]);
}

function insertSorted(index: Map<string, Group>, key: string, r: Rec): void {
  const group = index.get(key);
  if (group === undefined) {
    index.set(key, r);
    return;
  }
  const list = Array.isArray(group) ? group : [group];
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as Rec).line < r.line) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, r);
  if (!Array.isArray(group)) index.set(key, list);
}

function removeFrom(index: Map<string, Group>, key: string, r: Rec): void {
  const group = index.get(key);
  if (group === r) {
    index.delete(key);
    return;
  }
  if (!Array.isArray(group)) return;
  const at = group.indexOf(r);
  if (at !== -1) group.splice(at, 1);
  if (group.length === 1) index.set(key, group[0] as Rec);
  else if (group.length === 0) index.delete(key);
}
