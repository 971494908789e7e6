/**
 * A generated label log: `events` lines in the real format (serializeEvent, with checksums), as a
 * long labeling history leaves it: mostly labels, some skips, flags and undos of a recent event,
 * over the items of a generated dataset (`itemIdAt`), written as a stream. Deterministic under `seed`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { LOG_FORMAT_VERSION, type LabelEvent, serializeEvent } from '../../src/core/labels/events';
import { createRng } from '../../src/core/random';

export interface LabelLogStats {
  readonly events: number;
  readonly byType: Readonly<Record<string, number>>;
  /** The last label each item got from an event never undone, for items no undo touched. */
  readonly expectedLabels: ReadonlyMap<string, string> | undefined;
}

const LABELS = ['disaster', 'not-disaster', 'spam', 'ham'];
const BASE_TIME = Date.UTC(2026, 0, 1);

/**
 * Writes the log (one annotator). `keepExpected` records the expected final label of the items no undo touched
 * (for tests; it holds a map as large as the items labeled).
 */
export async function generateLabelLog(
  file: string,
  events: number,
  itemIdAt: (i: number) => string,
  items: number,
  options: { readonly seed?: number; readonly keepExpected?: boolean; readonly everyItem?: boolean } = {},
): Promise<LabelLogStats> {
  const { seed = 7, keepExpected = false, everyItem = false } = options;
  const rng = createRng(seed);
  const out = createWriteStream(file);
  const byType: Record<string, number> = {};
  const recent: LabelEvent[] = [];
  const expected = keepExpected ? new Map<string, string>() : undefined;
  const undone = new Set<string>();
  let chunk: string[] = [];
  for (let n = 0; n < events; n++) {
    const r = rng.next();
    const time = new Date(BASE_TIME + n * 1000).toISOString();
    const common = { v: LOG_FORMAT_VERSION, eventId: `ev${n.toString(36)}`, annotator: 'ann', time, source: 'queue' } as const;
    let event: LabelEvent;
    if (r < 0.05 && recent.length > 0) {
      // Each event is undone at most once (a second undo of it would be a no-op, reported by replay).
      const at = rng.int(recent.length);
      const target = recent[at] as LabelEvent;
      recent[at] = recent[recent.length - 1] as LabelEvent;
      recent.pop();
      event = { ...common, type: 'undo', itemId: target.itemId, labels: [], undoes: target.eventId };
      undone.add(target.itemId);
    } else {
      // everyItem: the n-th event is about item n (mod items), so nearly every item ends up labeled.
      const itemId = itemIdAt(everyItem ? n % items : rng.int(items));
      const type = r < 0.08 ? 'skip' : r < 0.1 ? 'flag' : 'label';
      const labels = type === 'label' ? [LABELS[rng.int(LABELS.length)] as string] : [];
      event = { ...common, type, itemId, labels, strategy: 'uncertainty', score: Math.round(rng.next() * 1e4) / 1e4 };
      if (type === 'label') expected?.set(itemId, labels[0] as string);
      else if (type === 'skip') expected?.delete(itemId);
      if (recent.length < 256) recent.push(event);
      else recent[rng.int(256)] = event;
    }
    byType[event.type] = (byType[event.type] ?? 0) + 1;
    chunk.push(serializeEvent(event), '\n');
    if (chunk.length >= 8192) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.write(chunk.join(''));
  out.end();
  await once(out, 'finish');
  if (expected) for (const id of undone) expected.delete(id);
  return { events, byType, expectedLabels: expected };
}
