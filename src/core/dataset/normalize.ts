import * as crypto from 'node:crypto';

/**
 * Normalization decides which texts count as "the same": Unicode NFC, trimmed, internal whitespace
 * collapsed. Ids of items without an id field and the embedding cache both key on its hash, so
 * changing this function invalidates every stored label of hashed items: do not change it lightly.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** sha256 (hex, first 32 chars) of the already-normalized text. */
export function hashNormalized(normalized: string): string {
  return oneShotSha256(normalized).slice(0, 32);
}

// crypto.hash (Node >= 20.12) is about twice as fast as createHash for short inputs, and hashing
// every row is the loader's biggest cost; older runtimes (e.g. an older VS Code host) fall back.
const fastHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const oneShotSha256 = (text: string): string =>
  fastHash !== undefined ? fastHash('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** sha256 (hex, first 32 chars) of the normalized text: the `DatasetItem.textHash`. */
export function textHash(text: string): string {
  return hashNormalized(normalizeText(text));
}

/** The id of an item whose row has no id field. */
export function hashId(hash: string): string {
  return `h:${hash}`;
}
