/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial). Node's `zlib.crc32` (native) when the runtime has it
 * (Node 20.15 and later), else a table-driven JS fallback with the same results. The label log needs
 * only this: a per-line check that catches a flipped byte inside a well-formed line.
 */
import * as zlib from 'node:zlib';

type NativeCrc32 = (data: Uint8Array | string, value?: number) => number;
const native = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
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
