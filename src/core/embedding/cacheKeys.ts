/**
 * Names and keys of the embedding cache: the file a (dataset, model) pair caches in, the 16-byte key
 * of an item's text, and the key of a corpus for fitted statistics.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { KEY_BYTES } from './cacheFormat';

/** `<storeDir>/embeddings-<readable model>-<hash>.bin`: a safe file name for any id or path. */
export function cacheFileFor(storeDir: string, model: string): string {
  const readable = model.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-48);
  const digest = createHash('sha256').update(model).digest('hex').slice(0, 8);
  return path.join(storeDir, `embeddings-${readable}-${digest}.bin`);
}

/** Text hashes are 32 hex chars (16 bytes); anything else is hashed down to 16 bytes. */
export function keyOf(textHash: string): string {
  return isKey(textHash) ? textHash : createHash('sha256').update(textHash).digest('hex').slice(0, KEY_BYTES * 2);
}

/** The value of a lowercase hex digit's char code, or -1 (a table: this runs for every row of a million-row cache). */
const HEX_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let d = 0; d < 16; d++) table['0123456789abcdef'.charCodeAt(d)] = d;
  return table;
})();

/** True for exactly 32 lowercase hex digits (what /^[0-9a-f]{32}$/ accepts). */
function isKey(text: string): boolean {
  if (text.length !== KEY_BYTES * 2) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (HEX_VALUE[c] as number) < 0) return false;
  }
  return true;
}

/**
 * Identifies a corpus for fitted statistics, whatever the order of its items: the text hashes (with
 * repeats) summed as 128-bit numbers in four 32-bit lanes, then hashed with the count. Text hashes
 * are already sha256 digests, so the sum is a sound multiset hash for non-adversarial data, and it
 * costs a tenth of sorting 50,000 strings. Any added, removed or edited text changes it.
 */
export function corpusKey(textHashes: readonly string[]): string {
  const lanes = new Uint32Array(4);
  // A text hash is most often a key already: read as one, and hashed down (keyOf) only when it is not.
  for (const h of textHashes) if (!addLanes(h, lanes)) addLanes(keyOf(h), lanes);
  const digest = createHash('sha256').update(lanes).update(String(textHashes.length)).digest('hex');
  return `${textHashes.length}:${digest.slice(0, 32)}`;
}

/**
 * Adds `key`'s four lanes (each the next 8 hex digits as a number: parseInt of the slice, without
 * the slice) to `lanes`, when `key` is 32 lowercase hex digits (what `isKey` accepts, checked on the
 * way instead of in a pass of its own); false, adding nothing, for anything else.
 */
function addLanes(key: string, lanes: Uint32Array): boolean {
  if (key.length !== KEY_BYTES * 2) return false;
  let v0 = 0;
  let v1 = 0;
  let v2 = 0;
  let v3 = 0;
  let bad = 0;
  for (let i = 0; i < 8; i++) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 8);
    const c2 = key.charCodeAt(i + 16);
    const c3 = key.charCodeAt(i + 24);
    const d0 = HEX_VALUE[c0 & 127] as number;
    const d1 = HEX_VALUE[c1 & 127] as number;
    const d2 = HEX_VALUE[c2 & 127] as number;
    const d3 = HEX_VALUE[c3 & 127] as number;
    // A digit of -1, or a char code past 127 (which `& 127` would have folded onto a digit), makes `bad` negative.
    bad |= d0 | d1 | d2 | d3 | ((c0 | c1 | c2 | c3) > 127 ? -1 : 0);
    v0 = v0 * 16 + d0;
    v1 = v1 * 16 + d1;
    v2 = v2 * 16 + d2;
    v3 = v3 * 16 + d3;
  }
  if (bad < 0) return false;
  lanes[0] += v0;
  lanes[1] += v1;
  lanes[2] += v2;
  lanes[3] += v3;
  return true;
}
