import * as crypto from 'node:crypto';

/**
 * Normalization decides which texts count as "the same": Unicode NFC, trimmed, internal whitespace
 * collapsed. Ids of items without an id field and the embedding cache both key on its hash, so
 * changing this function invalidates every stored label of hashed items: do not change it lightly.
 */
export function normalizeText(text: string): string {
  const ascii = asciiShape(text);
  if (ascii === 'normalized') return text;
  // NFC leaves ASCII as it is: only the whitespace needs work.
  if (ascii === 'ascii') return text.trim().replace(/\s+/g, ' ');
  return text.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/**
 * 'normalized' when `text` is printable ASCII with single inner spaces (its own normalization: no
 * whitespace to trim or collapse), 'ascii' for other ASCII (NFC is the identity on it), 'other'
 * otherwise. Most rows of most files are ASCII, and the check costs a fraction of NFC.
 */
function asciiShape(text: string): 'normalized' | 'ascii' | 'other' {
  const n = text.length;
  let clean = n > 0 && text.charCodeAt(0) !== 32 && text.charCodeAt(n - 1) !== 32;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return 'other';
    if (c < 32 || c === 127 || (c === 32 && previous === 32)) clean = false;
    previous = c;
  }
  return clean ? 'normalized' : 'ascii';
}

/**
 * sha256 (hex, first 32 chars) of the already-normalized text.
 *
 * Well-formed text is hashed as its UTF-8 bytes (the stable, documented id). UTF-8 cannot carry a
 * lone surrogate (JSON's "\ud800"): encoding maps every one to U+FFFD, so two different texts would
 * share a hash and be merged as duplicates. Such text is hashed as its UTF-16 code units instead,
 * behind a 0xFF byte that never occurs in UTF-8, so it can collide neither with another ill-formed
 * text nor with any well-formed one.
 */
export function hashNormalized(normalized: string): string {
  if (!isWellFormed(normalized)) {
    const units = Buffer.from(normalized, 'utf16le');
    return crypto.createHash('sha256').update(illFormedPrefix).update(units).digest('hex').slice(0, 32);
  }
  return oneShotSha256(normalized).slice(0, 32);
}

const illFormedPrefix = Buffer.from([0xff, 0xfe]);
const loneSurrogate = /\p{Surrogate}/u;
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** No lone surrogates (String#isWellFormed where the runtime has it). */
export function isWellFormed(text: string): boolean {
  return nativeWellFormed !== undefined ? nativeWellFormed.call(text) : !loneSurrogate.test(text);
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

/**
 * Characters that show nothing: whitespace, format controls that Unicode says to ignore when
 * rendering (zero-width space, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, bidi marks, variation
 * selectors, ...), and C0/C1 controls. A text made only of these looks empty to the annotator.
 */
const invisibleOnly = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}]*$/u;

/** The code points of an invisible-only text, for the message, e.g. "U+200B, U+00AD". */
export function invisibleCodePoints(text: string): string | undefined {
  // A printable ASCII character other than space is visible: no need to scan the text.
  const first = text.charCodeAt(0);
  if (first > 32 && first < 127) return undefined;
  if (!invisibleOnly.test(text)) return undefined;
  const points = new Set<string>();
  for (const ch of text) points.add(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  return [...points].slice(0, 6).join(', ');
}
