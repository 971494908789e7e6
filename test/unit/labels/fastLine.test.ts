/**
 * The fast path of reading a line must accept only what the general path (`parseEventLine`)
 * accepts, with the same event: checked on lines as written, on every single-byte damage of them,
 * and on lines in other valid forms. It must also take the lines the extension writes (else replay
 * is only as fast as before).
 */
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { crc32Js, crc32Range } from '../../../src/core/labels/crc32';
import { eventProblem, parseEventLine, serializeEvent, type LabelEvent } from '../../../src/core/labels/events';
import { parseCanonicalLine } from '../../../src/core/labels/fastLine';
import { createRng } from '../../../src/core/random';

const base: LabelEvent = {
  v: 1,
  type: 'label',
  eventId: 'mk3x9-0a1b2c3d4e5f',
  itemId: 'item-7',
  labels: ['spam', 'é'],
  annotator: 'alice',
  time: '2026-02-03T04:05:06.789Z',
  source: 'queue',
  strategy: 'uncertainty',
  score: 0.4662,
};

const shapes: LabelEvent[] = [
  base,
  { ...base, labels: ['spam'], score: -12.5e-3, cluster: 3, modelVersion: 'm2', tool: 'prodigy' },
  { v: 1, type: 'skip', eventId: 'e1', itemId: '中文', labels: [], annotator: '', time: '2026-01-31T23:59:59.999Z', source: 'review' },
  { v: 1, type: 'undo', eventId: 'e2', itemId: 'x', labels: [], annotator: 'bob', time: '2026-03-01T00:00:00.000Z', source: 'edit', undoes: 'e1' },
  { v: 1, type: 'flag', eventId: 'e3', itemId: 'y', labels: [], annotator: 'c', time: '0000-01-01T00:00:00.000Z', source: 'import', score: 1e21 },
  { ...base, labels: ['😀'], score: 12345678901234567 },
  { ...base, score: 0.30000000000000004 },
];

/** What replay would make of the line on the general path: the event, or undefined. */
function general(bytes: Buffer): LabelEvent | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const parsed = parseEventLine(text);
  return parsed.ok ? parsed.event : undefined;
}

function agrees(bytes: Buffer, context: string): boolean {
  const fast = parseCanonicalLine(bytes);
  if (fast !== undefined) assert.deepEqual(fast, general(bytes), `${context}: ${bytes.toString('latin1')}`);
  return fast !== undefined;
}

describe('the fast line path', () => {
  it('takes the lines serializeEvent writes, with the events parseEventLine gives', () => {
    for (const event of shapes) {
      const bytes = Buffer.from(serializeEvent(event), 'utf8');
      assert.ok(agrees(bytes, 'as written'), `the fast path takes ${bytes.toString()}`);
      assert.deepEqual(parseCanonicalLine(bytes), event);
      assert.ok(agrees(Buffer.from(JSON.stringify(event), 'utf8'), 'no crc (older versions)'));
    }
  });

  it('reads a line in place inside a larger buffer', () => {
    const lines = shapes.map((e) => serializeEvent(e));
    const chunk = Buffer.from(lines.join('\n') + '\n', 'utf8');
    let start = 0;
    for (const event of shapes) {
      const end = chunk.indexOf(0x0a, start);
      assert.deepEqual(parseCanonicalLine(chunk, start, end), event);
      start = end + 1;
    }
    // a line cut short of its end is not read as the whole line
    const first = Buffer.byteLength(lines[0]!);
    assert.equal(parseCanonicalLine(chunk, 0, first - 1), undefined);
  });

  it('never accepts a damaged line the general path refuses, nor reads it differently (every byte, several changes each)', () => {
    const rng = createRng(5);
    let tried = 0;
    let refused = 0;
    for (const event of shapes) {
      const line = Buffer.from(serializeEvent(event), 'utf8');
      for (let at = 0; at < line.length; at++) {
        const replacements = [0x20, 0x22, 0x5c, 0x2c, 0x7d, 0x30 + rng.int(10), 0x61 + rng.int(26), 0x80 + rng.int(128), line[at]! ^ 1];
        for (const byte of replacements) {
          const damaged = Buffer.from(line);
          damaged[at] = byte;
          tried++;
          if (!agrees(damaged, `byte ${at} -> ${byte}`)) refused++;
        }
        agrees(Buffer.concat([line.subarray(0, at), line.subarray(at + 1)]), `byte ${at} deleted`);
        agrees(Buffer.concat([line.subarray(0, at), Buffer.from(' '), line.subarray(at)]), `space before byte ${at}`);
      }
    }
    assert.ok(refused > tried * 0.9, `a checksummed line changed anywhere is refused (${refused} of ${tried})`);
  });

  it('leaves other valid forms and invalid events to the general path, which decides', () => {
    const forms = [
      `  ${serializeEvent(base)}`,
      `${serializeEvent(base)}\r`,
      JSON.stringify(Object.fromEntries(Object.entries(base).reverse())),
      JSON.stringify({ ...base, newKey: 1 }),
      JSON.stringify({ ...base, itemId: 'tab\there' }),
      serializeEvent({ ...base, labels: ['q"uote', 'back\\slash'] }),
      serializeEvent({ ...base, v: 2 } as unknown as LabelEvent),
      serializeEvent({ ...base, labels: [] }),
      serializeEvent({ ...base, time: '2026-02-30T00:00:00.000Z' }),
      serializeEvent({ ...base, time: '2026-13-01T00:00:00.000Z' }),
      serializeEvent({ ...base, score: Number.NaN }),
      serializeEvent({ ...base, cluster: 1.5 }),
      serializeEvent({ ...base, tool: 'Not A Tool' }),
      serializeEvent({ ...base, type: 'skip', undoes: 'x' }),
      serializeEvent({ ...base, type: 'undo', labels: [] }),
      serializeEvent({ ...base, source: 'elsewhere' } as unknown as LabelEvent),
      serializeEvent(base).replace(/"crc":"([0-9a-f]{8})"/, (_, h: string) => `"crc":"${h.toUpperCase()}"`),
      JSON.stringify({ ...base, score: 1e400 }).replace('null', '1e400'),
    ];
    for (const form of forms) agrees(Buffer.from(form, 'utf8'), 'other form');
    // The general path reads some of these; the fast one stays out of all but the plain no-crc form.
    assert.equal(parseCanonicalLine(Buffer.from(forms[0]!, 'utf8')), undefined);
    assert.equal(parseCanonicalLine(Buffer.from(forms[6]!, 'utf8')), undefined, 'a label event without labels');
    // The ends of months: the quick date check takes days up to 28 and leaves the rest to Date.parse.
    for (let month = 1; month <= 12; month++) {
      for (const day of [28, 29, 30, 31, 32]) {
        const time = `2024-${String(month).padStart(2, '0')}-${day}T23:59:59.999Z`;
        const bytes = Buffer.from(serializeEvent({ ...base, time }), 'utf8');
        assert.equal(agrees(bytes, time), !Number.isNaN(Date.parse(time)), time);
      }
    }
  });
});

describe('the time check', () => {
  it('accepts a time exactly when Date.parse does (random digits in the toISOString pattern)', () => {
    const rng = createRng(3);
    const d = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
    for (let i = 0; i < 20000; i++) {
      const time = `${d(4)}-${d(2)}-${d(2)}T${d(2)}:${d(2)}:${d(2)}.${d(3)}Z`;
      assert.equal(eventProblem({ ...base, time }) === undefined, !Number.isNaN(Date.parse(time)), time);
    }
  });
});

describe('crc32Range', () => {
  it('matches zlib and the one-table CRC on every range of random bytes, continuing from a value', () => {
    const rng = createRng(9);
    const bytes = Uint8Array.from({ length: 300 }, () => rng.int(256));
    const native = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
    for (let start = 0; start < 40; start++) {
      for (let end = start; end <= bytes.length; end += 7) {
        const slice = bytes.subarray(start, end);
        assert.equal(crc32Range(bytes, start, end), crc32Js(slice));
        assert.equal(crc32Range(bytes, start, end, 0xdeadbeef), crc32Js(slice, 0xdeadbeef));
        if (native !== undefined) assert.equal(crc32Range(bytes, start, end), native(slice) >>> 0);
      }
    }
    assert.equal(crc32Range(Buffer.from('123456789'), 0, 9), 0xcbf43926);
  });
});
