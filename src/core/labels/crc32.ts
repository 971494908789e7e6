/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial). Node's `zlib.crc32` (native) when the runtime has it
 * (Node 20.15 and later), else a table-driven JS fallback with the same results. The label log needs
 * only this: a per-line check that catches a flipped byte inside a well-formed line.
 */
import * as zlib from 'node:zlib';

type NativeCrc32 = (data: Uint8Array | string, value?: number) => number;
const native = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;

/** Eight 256-entry tables: table k is the CRC of a byte followed by k zero bytes (slicing-by-8). */
const TABLES = buildTables();
const TABLE = TABLES.subarray(0, 256);

function buildTables(): Uint32Array {
  const tables = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const previous = tables[(k - 1) * 256 + n] as number;
      tables[k * 256 + n] = ((previous >>> 8) ^ (tables[previous & 0xff] as number)) >>> 0;
    }
  }
  return tables;
}

/**
 * CRC-32 of `bytes[start, end)` continuing from `value`, in JS, eight bytes a step: for the many short
 * ranges of one buffer that replay checks, cheaper than a view and a native call per range.
 */
export function crc32Range(bytes: Uint8Array, start: number, end: number, value = 0): number {
  const t = TABLES;
  let crc = ~value;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24)) ^ crc;
    const b = (bytes[i + 4] as number) | ((bytes[i + 5] as number) << 8) | ((bytes[i + 6] as number) << 16) | ((bytes[i + 7] as number) << 24);
    crc =
      (t[1792 + (a & 0xff)] as number) ^
      (t[1536 + ((a >>> 8) & 0xff)] as number) ^
      (t[1280 + ((a >>> 16) & 0xff)] as number) ^
      (t[1024 + (a >>> 24)] as number) ^
      (t[768 + (b & 0xff)] as number) ^
      (t[512 + ((b >>> 8) & 0xff)] as number) ^
      (t[256 + ((b >>> 16) & 0xff)] as number) ^
      (t[b >>> 24] as number);
  }
  for (; i < end; i++) crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** The JS table version; exported for tests that pin it against the native one. */
export function crc32Js(bytes: Uint8Array, value = 0): number {
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Continues a CRC-32 over more bytes: `crc32Update(b, crc32Update(a))` is the CRC of a then b.
 * `value` is a previous result (0 to start).
 */
export function crc32Update(bytes: Uint8Array, value = 0): number {
  return native !== undefined ? native(bytes, value) >>> 0 : crc32Js(bytes, value);
}

/** CRC-32 of the bytes (or of the UTF-8 encoding of a string), as an unsigned 32-bit integer. */
export function crc32(data: Uint8Array | string): number {
  return crc32Update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/** CRC-32 as 8 lowercase hex digits, the form stored in the log. */
export function crc32Hex(data: Uint8Array | string): string {
  return crc32(data).toString(16).padStart(8, '0');
}
