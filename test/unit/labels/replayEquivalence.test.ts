/**
 * Replay against an independent reference: randomized logs (several annotators, reviews, labels,
 * skips, flags, undos of undos, unknown and self undos, duplicates, lines in older or hand-written
 * forms, damaged lines) whose every line's fate the generator knows. The reference reducer below is
 * a plain transcription of the rules in state.ts (an entry per event, the current label rebuilt from
 * scratch), sharing no code with the reducer; the expected problems come from the generator.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LabelState, replay, serializeEvent, type LabelEvent, type LogProblemKind } from '../../../src/core/labels';
import { createRng, type Rng } from '../../../src/core/random';
import { tempDir } from './helpers';

interface RefEntry {
  readonly event: LabelEvent;
  readonly item: string;
  active: boolean;
  target?: RefEntry;
}

interface Reference {
  readonly events: LabelEvent[];
  readonly entries: RefEntry[];
  /** Items in effect, in the order a Map set on gaining and deleted on losing would hold them. */
  readonly order: Map<string, true>;
  readonly problems: Array<[number, LogProblemKind]>;
}

function referenceReplay(parsed: readonly { event: LabelEvent; line: number }[]): Reference {
  const ref: Reference = { events: [], entries: [], order: new Map(), problems: [] };
  const byId = new Map<string, RefEntry>();
  for (const { event, line } of parsed) {
    if (byId.has(event.eventId)) {
      ref.problems.push([line, 'duplicate-event']);
      continue;
    }
    ref.events.push(event);
    let entry: RefEntry = { event, item: event.itemId, active: true };
    /** The item whose labels the event may change: for an undo, the one at the end of its chain. */
    let changed = event.itemId;
    if (event.type === 'undo') {
      const target = byId.get(event.undoes!);
      if (target === undefined) {
        entry.active = false;
        ref.problems.push([line, 'unknown-undo-target']);
      } else {
        // Filed under the item its target names (for an undo of an undo, the item the first undo names).
        entry = { event, item: target.event.itemId, active: true };
        if (!target.active) {
          entry.active = false;
          ref.problems.push([line, 'undo-no-effect']);
        } else {
          entry.target = target;
          // Undoing switches the target off; an undo switched off puts its own target back, and so on.
          let current: RefEntry = target;
          let on = false;
          for (;;) {
            current.active = on;
            if (current.target === undefined) break;
            current = current.target;
            on = !on;
          }
          changed = current.event.itemId;
        }
      }
    }
    byId.set(event.eventId, entry);
    ref.entries.push(entry);
    const inEffect = ref.entries.some((e) => e.item === changed && e.active && e.event.type !== 'undo');
    if (!inEffect) ref.order.delete(changed);
    else if (!ref.order.has(changed)) ref.order.set(changed, true);
  }
  return ref;
}

const key = (labels: readonly string[]): string => JSON.stringify([...labels].sort());

/** The item's current label, built from scratch by the rules of state.ts and labelRule.ts. */
function referenceLabel(ref: Reference, item: string): unknown {
  const inEffect = ref.entries.filter((e) => e.item === item && e.active && e.event.type !== 'undo').map((e) => e.event);
  const decisions = new Map<string, LabelEvent>();
  for (const e of inEffect) if (e.type === 'label' || e.type === 'skip') decisions.set(e.annotator, e);
  const latest = [...decisions.values()].sort((a, b) => inEffect.indexOf(a) - inEffect.indexOf(b));
  const votes = latest.filter((e) => e.type === 'label').map((event) => ({ annotator: event.annotator, labels: event.labels, event }));
  const reviews = votes.filter((v) => v.event.source === 'review');
  const own = votes.filter((v) => v.event.source !== 'review');
  const last = votes.at(-1);
  let decider: LabelEvent | undefined;
  let decidedBy: string | undefined;
  if (reviews.length > 0) [decider, decidedBy] = [reviews.at(-1)!.event, 'review'];
  else if (votes.length === 1) [decider, decidedBy] = [last!.event, 'single'];
  else if (votes.length > 1) [decider, decidedBy] = [last!.event, new Set(votes.map((v) => key(v.labels))).size === 1 ? 'agreement' : 'latest'];
  return {
    itemId: item,
    labels: decider?.labels ?? [],
    labeled: decider !== undefined,
    skipped: decider === undefined && latest.some((e) => e.type === 'skip'),
    flagged: inEffect.some((e) => e.type === 'flag'),
    labelEvent: decider,
    lastEvent: inEffect.at(-1),
    annotators: votes,
    disagree: new Set(own.map((v) => key(v.labels))).size > 1,
    decidedBy,
  };
}

function referenceNextUndo(ref: Reference, item?: string): LabelEvent | undefined {
  return ref.entries.filter((e) => (item === undefined || e.item === item) && e.active && e.event.type !== 'undo').at(-1)?.event;
}

function referenceNextRedo(ref: Reference, item?: string): LabelEvent | undefined {
  const redoes = ref.entries.filter((e) => {
    if ((item !== undefined && e.item !== item) || e.event.type !== 'undo' || !e.active) return false;
    let end = e;
    while (end.target !== undefined) end = end.target;
    return end !== e && !end.active;
  });
  return redoes.at(-1)?.event;
}

// ---- the generator -------------------------------------------------------------------------

interface Generated {
  readonly bytes: Buffer;
  /** The events a correct reader takes from the file, with their lines, in order. */
  readonly parsed: { event: LabelEvent; line: number }[];
  /** The line-level problem of each damaged line. */
  readonly lineProblems: Map<number, LogProblemKind>;
}

const ITEMS = ['a', 'b', 'c', 'd', 'é-item', 'x"y', 'back\\slash', '中文', 'e', 'f', 'g', 'h'];
const LABELS = ['spam', 'ham', 'é', 'q"uote', '中文', 'tab\there', '😀'];
const ANNOTATORS = ['alice', 'bob', 'carol', ''];
const pick = <T>(rng: Rng, list: readonly T[]): T => list[rng.int(list.length)] as T;

function randomEvent(rng: Rng, n: number, earlier: readonly LabelEvent[]): LabelEvent {
  const r = rng.next();
  const type = r < 0.45 ? 'label' : r < 0.55 ? 'skip' : r < 0.63 ? 'flag' : 'undo';
  const day = 1 + rng.int(31);
  const time = new Date(Date.UTC(2026, rng.int(12), Math.min(day, 28), rng.int(24), rng.int(60), rng.int(60), rng.int(1000))).toISOString();
  const eventId = `e${n}`;
  const event: Record<string, unknown> = {
    v: 1,
    type,
    eventId,
    itemId: pick(rng, ITEMS),
    labels: type === 'label' ? Array.from({ length: 1 + rng.int(2) }, () => pick(rng, LABELS)) : [],
    annotator: pick(rng, ANNOTATORS),
    time: rng.next() < 0.1 ? '2026-01-31T12:00:00Z' : time,
    source: rng.next() < 0.15 ? 'review' : pick(rng, ['queue', 'edit', 'import']),
  };
  if (rng.next() < 0.5) event.strategy = pick(rng, ['uncertainty', 'margin', 'clustered-uncertainty']);
  if (rng.next() < 0.5) event.score = pick(rng, [0, -0.5, 0.1234, 1, 12345678901234567, 1e-7, 0.30000000000000004, Math.round(rng.next() * 1e4) / 1e4]);
  if (rng.next() < 0.2) event.cluster = rng.int(5);
  if (rng.next() < 0.2) event.modelVersion = `m${rng.int(3)}`;
  if (rng.next() < 0.1) event.tool = 'prodigy';
  if (type === 'undo') {
    const u = rng.next();
    event.undoes = u < 0.05 || earlier.length === 0 ? 'never-written' : u < 0.08 ? eventId : (earlier[earlier.length - 1 - rng.int(Math.min(earlier.length, 12))] as LabelEvent).eventId;
  }
  return event as unknown as LabelEvent;
}

/** The line in another valid form: no crc (older versions), keys reordered, padding or CRLF. */
function variant(rng: Rng, event: LabelEvent): string {
  const r = rng.next();
  if (r < 0.06) return JSON.stringify(event);
  if (r < 0.1) return JSON.stringify(Object.fromEntries(Object.entries(event).reverse()));
  if (r < 0.13) return `  ${serializeEvent(event)} \r`;
  if (r < 0.15) return JSON.stringify({ ...event, addedByANewerMinor: true });
  return serializeEvent(event);
}

function generate(seed: number, count: number): Generated {
  const rng = createRng(seed);
  const lines: Buffer[] = [];
  const parsed: { event: LabelEvent; line: number }[] = [];
  const lineProblems = new Map<number, LogProblemKind>();
  const written: LabelEvent[] = [];
  const push = (text: string | Buffer): number => lines.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  for (let n = 0; n < count; n++) {
    const r = rng.next();
    const event = randomEvent(rng, n, written);
    if (r < 0.04 && written.length > 0) {
      const copy = pick(rng, written);
      parsed.push({ event: copy, line: push(serializeEvent(copy)) });
    } else if (r < 0.06) {
      const line = serializeEvent(event);
      const at = line.length - 3; // a crc digit: still well formed, no longer matching
      lineProblems.set(push(line.slice(0, at) + (line[at] === '0' ? '1' : '0') + line.slice(at + 1)), 'bad-checksum');
    } else if (r < 0.07) {
      lineProblems.set(push(serializeEvent({ ...event, type: 'label', labels: [] })), 'invalid-event');
    } else if (r < 0.08) {
      lineProblems.set(push(JSON.stringify({ ...event, time: '2026-13-01T00:00:00.000Z' })), 'invalid-event');
    } else if (r < 0.09) {
      lineProblems.set(push(serializeEvent({ ...event, v: 2 } as unknown as LabelEvent)), 'newer-version');
    } else if (r < 0.1) {
      lineProblems.set(push('not json at all'), 'invalid-json');
    } else if (r < 0.11) {
      const bytes = Buffer.from(serializeEvent({ ...event, type: 'label', labels: ['é'] }), 'utf8');
      bytes[bytes.indexOf(0xc3)] = 0xff;
      lineProblems.set(push(bytes), 'invalid-utf8');
    } else if (r < 0.12) {
      push(rng.next() < 0.5 ? '' : '   ');
    } else if (r < 0.13) {
      const whole = serializeEvent(event);
      const line = push(serializeEvent(randomEvent(rng, n + 1e6, written)).slice(0, 40) + whole);
      lineProblems.set(line, 'torn-line');
      parsed.push({ event, line });
      written.push(event);
    } else if (r < 0.14) {
      const second = randomEvent(rng, n + 2e6, [...written, event]);
      const line = push(serializeEvent(event) + serializeEvent(second));
      lineProblems.set(line, 'glued-line');
      parsed.push({ event, line }, { event: second, line });
      written.push(event, second);
    } else {
      parsed.push({ event, line: push(variant(rng, event)) });
      written.push(event);
    }
  }
  const torn = rng.next() < 0.5;
  const body = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
  if (!torn) return { bytes: body, parsed, lineProblems };
  lineProblems.set(lines.length + 1, 'torn-tail');
  return { bytes: Buffer.concat([body, Buffer.from(serializeEvent(randomEvent(rng, 3e6, written)).slice(0, 50))]), parsed, lineProblems };
}

describe('replay matches an independent reference on randomized logs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: same events, problems, current labels (in order), undo and redo targets`, async () => {
      const log = generate(seed, 600);
      const file = join(dir, `labels-${seed}.jsonl`);
      await writeFile(file, log.bytes);
      const result = await replay(file);
      const ref = referenceReplay(log.parsed);

      assert.deepEqual(result.events, ref.events);
      const reducerProblems = new Map<number, LogProblemKind[]>();
      for (const [line, kind] of ref.problems) reducerProblems.set(line, [...(reducerProblems.get(line) ?? []), kind]);
      const lastLine = Math.max(0, ...log.lineProblems.keys(), ...reducerProblems.keys());
      const expected: Array<[number, LogProblemKind]> = [];
      for (let line = 1; line <= lastLine; line++) {
        const own = log.lineProblems.get(line);
        if (own !== undefined) expected.push([line, own]);
        for (const kind of reducerProblems.get(line) ?? []) expected.push([line, kind]);
      }
      assert.deepEqual(result.problems.map((p) => [p.line, p.kind]), expected);
      for (const p of result.problems) assert.ok(p.message.startsWith(`${file}:${p.line}: `), p.message);

      const kinds = new Set(expected.map(([, kind]) => kind));
      for (const kind of ['duplicate-event', 'unknown-undo-target', 'undo-no-effect', 'bad-checksum', 'invalid-event'] as const) {
        assert.ok(kinds.has(kind), `the log exercises ${kind}`);
      }

      assert.deepEqual([...result.state.entries()], [...ref.order.keys()].map((item) => [item, referenceLabel(ref, item)]));
      assert.equal(result.state.size, ref.order.size);
      assert.equal(result.labelState.nextUndo()?.eventId, referenceNextUndo(ref)?.eventId);
      assert.equal(result.labelState.nextRedo()?.eventId, referenceNextRedo(ref)?.eventId);
      for (const item of [...ITEMS, 'never-seen']) {
        assert.equal(result.labelState.nextUndo(item)?.eventId, referenceNextUndo(ref, item)?.eventId, `nextUndo(${item})`);
        assert.equal(result.labelState.nextRedo(item)?.eventId, referenceNextRedo(ref, item)?.eventId, `nextRedo(${item})`);
        assert.equal(result.labelState.hasHistory(item), ref.entries.some((e) => e.item === item), `hasHistory(${item})`);
        assert.equal(result.state.has(item), ref.order.has(item));
        assert.deepEqual(result.state.get(item), ref.order.has(item) ? referenceLabel(ref, item) : undefined);
      }
    });
  }

  it('a LabelState fed event by event agrees with the reference after every event', () => {
    const log = generate(11, 400);
    const state = new LabelState();
    for (let i = 0; i < log.parsed.length; i++) {
      state.apply(log.parsed[i]!.event);
      const ref = referenceReplay(log.parsed.slice(0, i + 1));
      const item = log.parsed[i]!.event.itemId;
      assert.deepEqual([...state.labels.keys()], [...ref.order.keys()], `order after event ${i}`);
      for (const id of new Set([item, ...ref.order.keys()].slice(0, 4))) {
        assert.deepEqual(state.get(id), ref.order.has(id) ? referenceLabel(ref, id) : undefined, `item ${id} after event ${i}`);
      }
      assert.equal(state.nextUndo()?.eventId, referenceNextUndo(ref)?.eventId);
    }
  });
});
