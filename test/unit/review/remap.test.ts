import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, type Rng } from '../../../src/core/random';
import { LineItemMapper, type LineItemMap, type LineLayout } from '../../../src/core/review/lineItems';
import { applyTextChange, stringLineSource, type TextChange } from '../../../src/core/review/textChanges';
import { textHash } from '../../../src/core/dataset/normalize';

const hid = (text: string): string => `h:${textHash(text)}`;

/** Everything a mapping says, as plain data. */
function snapshot(map: LineItemMap | undefined): unknown {
  assert.ok(map !== undefined, 'the mapper has a mapping');
  return {
    items: map.items.map((it) => [it.line, it.endLine, it.itemId, it.explicitId, it.textHash, it.duplicate]),
    unmapped: map.unmapped.map((u) => [u.line, u.why]),
  };
}

const change = (sl: number, sc: number, el: number, ec: number, text: string): TextChange => ({ range: { start: { line: sl, character: sc }, end: { line: el, character: ec } }, text });

/** An editor document: its text, and the mapper kept up to date from change events. */
class Doc {
  readonly mapper: LineItemMapper;
  incremental = 0;
  full = 0;
  constructor(
    readonly layout: LineLayout,
    public text: string,
  ) {
    this.mapper = new LineItemMapper(layout);
    this.mapper.map(text);
  }
  get lines(): string[] {
    return this.text.split(/\r\n|\r|\n/);
  }
  /** Applies one event (changes in order, each on the text the previous left) and checks against a full map. */
  edit(changes: TextChange[], context: string): void {
    for (const c of changes) this.text = applyTextChange(this.text, c);
    if (this.mapper.applyChanges(changes, stringLineSource(this.text)) === 'incremental') this.incremental++;
    else this.full++;
    const expected = new LineItemMapper(this.layout).map(this.text);
    assert.deepEqual(snapshot(this.mapper.current), snapshot(expected), `${context}\n--- text:\n${JSON.stringify(this.text)}`);
    const map = this.mapper.current as LineItemMap;
    for (let line = 0; line < this.lines.length; line++) assert.equal(map.itemAt(line)?.itemId, expected.itemAt(line)?.itemId, `itemAt(${line}) ${context}`);
    for (const it of expected.items) assert.deepEqual(map.linesOf(it.itemId).map((x) => x.line), expected.linesOf(it.itemId).map((x) => x.line));
  }
}

const TEXTS = ['storm warning', 'market rally', 'goal!', 'rain, again', 'he said "hi"', 'two\nlines', 'x'];
const IDS = ['1', '2', '3', '4', '5'];

function jsonlRow(rng: Rng): string {
  const r = rng.next();
  if (r < 0.08) return '';
  if (r < 0.12) return 'not json';
  if (r < 0.16) return '{"id":"9"}';
  const text = TEXTS[rng.int(TEXTS.length)] as string;
  return rng.next() < 0.5 ? JSON.stringify({ text }) : JSON.stringify({ id: IDS[rng.int(IDS.length)], text });
}

function csvRow(rng: Rng, eol: string): string {
  const r = rng.next();
  if (r < 0.08) return '';
  const id = IDS[rng.int(IDS.length)] as string;
  if (r < 0.3) return `${id},"quoted${eol}over${eol}lines",y`;
  if (r < 0.35) return `${id},"open quote`;
  if (r < 0.4) return '"';
  const text = TEXTS[rng.int(TEXTS.length)] as string;
  return `${id},"${text.replace(/"/g, '""').replace(/\n/g, eol)}",x`;
}

function txtRow(rng: Rng): string {
  const r = rng.next();
  if (r < 0.1) return '   ';
  return (TEXTS[rng.int(TEXTS.length)] as string).replace(/\n/g, ' ');
}

interface Case {
  readonly name: string;
  readonly layout: LineLayout;
  readonly row: (rng: Rng, eol: string) => string;
  readonly header?: string;
}

const cases: Case[] = [
  { name: 'JSONL, explicit ids', layout: { format: 'jsonl', textField: 'text', idField: 'id', hasHeader: false }, row: jsonlRow },
  { name: 'JSONL, hashed ids', layout: { format: 'jsonl', textField: 'text', hasHeader: false }, row: jsonlRow },
  { name: 'CSV with a header and quoted multi-line fields', layout: { format: 'csv', textField: 'text', idField: 'id', hasHeader: true }, row: csvRow, header: 'id,text,label' },
  { name: 'CSV without a header', layout: { format: 'csv', textField: 'column2', hasHeader: false, columns: ['column1', 'column2', 'column3'] }, row: csvRow },
  { name: 'TXT', layout: { format: 'txt', textField: 'text', hasHeader: false }, row: txtRow },
];

/** One random change on `doc`'s current text; `avoidTop` keeps it below the first line (the CSV header). */
function randomChange(rng: Rng, text: string, eol: string, row: () => string, avoidTop: boolean): TextChange {
  const lines = text.split(/\r\n|\r|\n/);
  const n = lines.length;
  const top = avoidTop && n > 1 ? 1 : 0;
  const pick = (): number => top + rng.int(Math.max(1, n - top));
  const at = pick();
  const len = (l: number): number => (lines[l] ?? '').length;
  switch (rng.int(7)) {
    case 0: // insert whole lines above a line
      return change(at, 0, at, 0, Array.from({ length: 1 + rng.int(3) }, row).join(eol) + eol);
    case 1: // insert a line break and a row at the end of a line
      return change(at, len(at), at, len(at), eol + row());
    case 2: {
      // delete lines (with their line breaks)
      const to = Math.min(n - 1, at + rng.int(3));
      return to + 1 < n ? change(at, 0, to + 1, 0, '') : change(Math.max(top, at - 1), len(Math.max(top, at - 1)), to, len(to), '');
    }
    case 3: {
      // change part of a line: typing, a quote, a comma, a line break
      const a = rng.int(len(at) + 1);
      const b = Math.min(len(at), a + rng.int(4));
      const pieces = ['x', '"', ',', 'storm warning', eol, '""', '', '{'];
      return change(at, a, at, b, pieces[rng.int(pieces.length)] as string);
    }
    case 4: // duplicate a line elsewhere
      return change(at, 0, at, 0, (lines[pick()] ?? '') + eol);
    case 5: {
      // replace a span of lines with new rows (a paste over a selection)
      const to = Math.min(n - 1, at + rng.int(3));
      return change(at, 0, to, len(to), Array.from({ length: 1 + rng.int(2) }, row).join(eol));
    }
    default: // join two lines
      return at + 1 < n ? change(at, len(at), at + 1, 0, '') : change(at, 0, at, 0, 'x');
  }
}

describe('incremental remap equals a full recompute', () => {
  for (const c of cases) {
    for (const eol of ['\n', '\r\n']) {
      it(`${c.name}, ${JSON.stringify(eol)} line breaks, random edit sequences`, () => {
        for (let seed = 1; seed <= 12; seed++) {
          const rng = createRng(seed * 7919 + eol.length);
          const row = (): string => c.row(rng, eol);
          const rows = Array.from({ length: 6 + rng.int(10) }, row);
          const doc = new Doc(c.layout, (c.header !== undefined ? [c.header, ...rows] : rows).join(eol) + (rng.next() < 0.5 ? eol : ''));
          for (let step = 0; step < 40; step++) {
            const count = rng.next() < 0.2 ? 2 + rng.int(2) : 1;
            const changes: TextChange[] = [];
            // Changes of one event apply in order, each on the text the previous one left.
            let scratch = doc.text;
            for (let k = 0; k < count; k++) {
              const ch = randomChange(rng, scratch, eol, row, c.header !== undefined && rng.next() < 0.95);
              changes.push(ch);
              scratch = applyTextChange(scratch, ch);
            }
            doc.edit(changes, `${c.name} seed ${seed} step ${step}: ${JSON.stringify(changes)}`);
          }
          assert.ok(doc.incremental > doc.full, `${c.name} seed ${seed}: mostly incremental (${doc.incremental} incremental, ${doc.full} full)`);
        }
      });
    }
  }
});

describe('incremental remap, the cases that matter', () => {
  const jsonl: LineLayout = { format: 'jsonl', textField: 'text', idField: 'id', hasHeader: false };
  const row = (text: string, id?: string): string => JSON.stringify(id === undefined ? { text } : { id, text });

  it('deleting the first copy of a duplicated text makes the next copy the item', () => {
    const doc = new Doc(jsonl, [row('same'), row('other'), row('same'), row('same')].join('\n'));
    assert.deepEqual(doc.mapper.current?.linesOf(hid('same')).map((it) => [it.line, it.duplicate]), [[0, false], [2, true], [3, true]]);
    doc.edit([change(0, 0, 1, 0, '')], 'delete line 0');
    assert.deepEqual(doc.mapper.current?.linesOf(hid('same')).map((it) => [it.line, it.duplicate]), [[1, false], [2, true]]);
    assert.equal(doc.incremental, 1);
  });

  it('deleting the row that holds an id gives the id to the next row with it; the message follows line shifts', () => {
    const doc = new Doc(jsonl, [row('a', 'k'), row('b', 'k'), row('c', 'k')].join('\n'));
    assert.deepEqual(doc.mapper.current?.unmapped.map((u) => u.why), ['id "k" is already used by line 1 with a different text', 'id "k" is already used by line 1 with a different text']);
    doc.edit([change(0, 0, 0, 0, `${row('new')}\n`)], 'insert above');
    assert.match(doc.mapper.current?.unmapped[0]?.why ?? '', /already used by line 2/);
    doc.edit([change(1, 0, 2, 0, '')], 'delete the holder');
    assert.equal(doc.mapper.current?.itemAt(1)?.itemId, 'k');
    assert.equal(doc.mapper.current?.itemAt(1)?.textHash, textHash('b'));
    assert.equal(doc.incremental, 2);
  });

  it('CSV: a quote typed at the start of a field reframes the records below; deleting it restores them', () => {
    const layout: LineLayout = { format: 'csv', textField: 'text', idField: 'id', hasHeader: true };
    const doc = new Doc(layout, ['id,text', '1,one', '2,two', '3,three', '4,"fo"ur"'].join('\r\n'));
    doc.edit([change(1, 2, 1, 2, '"')], 'open a quote on line 1');
    assert.equal(doc.mapper.current?.itemAt(1)?.endLine, 4, 'the open quote runs to the quote on line 4');
    doc.edit([change(1, 2, 1, 3, '')], 'delete it');
    assert.deepEqual(doc.mapper.current?.items.map((it) => it.itemId), ['1', '2', '3', '4']);
    assert.equal(doc.incremental, 2);
  });

  it('an edit to the CSV header maps the file again in full', () => {
    const doc = new Doc({ format: 'csv', textField: 'text', hasHeader: true }, 'text\nhello\n');
    assert.equal(doc.mapper.needsFullRemap([change(0, 0, 0, 4, 'body')]), true);
    doc.edit([change(0, 0, 0, 4, 'body')], 'rename the text column');
    assert.equal(doc.full, 1);
    assert.equal(doc.mapper.current?.items.length, 0);
    assert.equal(doc.mapper.needsFullRemap([change(1, 0, 1, 0, 'x')]), false);
  });

  it('a big paste or many cursors are left to a full remap; a small edit is not', () => {
    const doc = new Doc(jsonl, row('a'));
    assert.equal(doc.mapper.needsFullRemap([change(0, 0, 0, 0, 'x')]), false);
    assert.equal(doc.mapper.needsFullRemap([change(0, 0, 0, 0, '\n'.repeat(30_000))]), true);
    assert.equal(doc.mapper.needsFullRemap(Array.from({ length: 100 }, () => change(0, 0, 0, 0, 'x'))), true);
  });

  it('a build in slices gives the same mapping as one pass, and becomes current only when done', () => {
    const text = Array.from({ length: 2500 }, (_, i) => row(`text ${i % 700}`, i % 3 === 0 ? `id${i % 500}` : undefined)).join('\n');
    const mapper = new LineItemMapper(jsonl);
    const build = mapper.startBuild(text);
    let slices = 0;
    while (!build.step(100)) {
      slices++;
      assert.equal(mapper.current, undefined, 'no mapping before the build is done');
    }
    assert.ok(slices >= 24);
    assert.deepEqual(snapshot(mapper.current), snapshot(new LineItemMapper(jsonl).map(text)));
  });

  it('a superseded build is not adopted', () => {
    const mapper = new LineItemMapper(jsonl);
    const old = mapper.startBuild(row('old'));
    mapper.map(row('new'));
    old.step(Infinity);
    assert.equal(mapper.current?.itemAt(0)?.itemId, hid('new'));
  });

  it('the provisional map of a visible range has the full map ids of its lines (JSONL), and CSV near the top', () => {
    const lines = Array.from({ length: 300 }, (_, i) => row(`t${i % 50}`, i % 4 === 0 ? `x${i}` : undefined));
    const text = lines.join('\n');
    const full = new LineItemMapper(jsonl).map(text);
    const early = new LineItemMapper(jsonl).provisional(stringLineSource(text), 120, 180);
    assert.ok(early !== undefined);
    for (let line = 120; line <= 180; line++) {
      const want = full.itemAt(line);
      // A copy of an off-screen text where either copy has an explicit id is what the full pass corrects.
      if (want?.duplicate === true && (want.explicitId || early.itemAt(line)?.explicitId === true)) continue;
      assert.equal(early.itemAt(line)?.itemId, want?.itemId, `line ${line}`);
    }
    assert.equal(early.itemAt(100), undefined, 'outside the range: nothing yet');
    assert.ok(early.items.filter((it) => !it.explicitId).length > 20, 'hashed rows, first copies or not, have their ids already');
    const csv = ['id,text', '1,"a', 'b"', '2,c'].join('\n');
    const csvMapper = new LineItemMapper({ format: 'csv', textField: 'text', idField: 'id', hasHeader: true });
    assert.deepEqual(csvMapper.provisional(stringLineSource(csv), 2, 3)?.items.map((it) => [it.itemId, it.line]), [['1', 1], ['2', 3]]);
    assert.equal(csvMapper.provisional(stringLineSource(csv), 2, 3, 1), undefined, 'CSV far from the top waits for the full build');
  });
});
