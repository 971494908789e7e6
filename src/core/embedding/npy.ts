/**
 * Reads NumPy `.npy` files (format versions 1-3) holding a 2-D float array: the layout of
 * `np.save("vectors.npy", embeddings)`. The format is small enough to parse here instead of
 * depending on a package: magic, version, header length, then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 384), }`, padded, then the raw data.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { VectorFileError } from './vectorFileError';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

export type NpyDtype = 'f2' | 'f4' | 'f8';

export interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly rows: number;
  readonly cols: number;
  /** Byte offset of the first value. */
  readonly dataOffset: number;
}

const ITEM_BYTES: Record<NpyDtype, number> = { f2: 2, f4: 4, f8: 8 };

/**
 * Parses and checks the header in `bytes` (the file's first bytes, at least the whole header);
 * `size` is the file's length, to report truncation precisely.
 */
export function parseNpyHeader(bytes: Buffer, file: string, size = bytes.length): NpyHeader {
  const fail = (why: string): never => {
    throw new VectorFileError(`${file}: not a readable .npy file: ${why}`, file);
  };
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC)) fail('it does not start with the NumPy magic "\\x93NUMPY"');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unknown format version ${major}.${bytes[7]}`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerStart = 8 + lengthBytes;
  if (bytes.length < headerStart) fail('the file ends inside the header (truncated)');
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataOffset = headerStart + headerLength;
  if (size < dataOffset) fail(`the file ends inside the header (truncated: ${size} bytes, header needs ${dataOffset})`);
  if (bytes.length < dataOffset) throw new RangeError(`parseNpyHeader needs the first ${dataOffset} bytes of ${file}`);
  const header = bytes.subarray(headerStart, dataOffset).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`the header is not a NumPy array header: ${header.trim()}`);

  const dtype = dtypeOf(descr as string);
  if (dtype === undefined) {
    const bigEndian = (descr as string).startsWith('>');
    fail(
      bigEndian
        ? `the values are big-endian (${descr}); save them as little-endian: np.save(f, x.astype('<f4'))`
        : `the values have dtype ${descr}; expected float32 (<f4), float16 (<f2) or float64 (<f8): np.save(f, x.astype('float32'))`,
    );
  }
  if (fortran === 'True') fail('the array is in Fortran order; save a C-ordered copy: np.save(f, np.ascontiguousarray(x))');
  const shape = (shapeText as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.length !== 2 || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    fail(`the shape is (${shapeText}); expected (rows, dimensions), one row per dataset row`);
  }
  const [rows, cols] = shape;
  if (cols === 0) fail('the vectors have 0 dimensions');

  const expected = rows * cols * ITEM_BYTES[dtype as NpyDtype];
  const actual = size - dataOffset;
  if (actual < expected) {
    const rowBytes = cols * ITEM_BYTES[dtype as NpyDtype];
    throw new VectorFileError(
      `${file}: truncated: the header promises ${rows} x ${cols} values (${expected} bytes) but ${actual} bytes follow; ` +
        `only ${Math.floor(actual / rowBytes)} complete rows. Was the file copied or written completely?`,
      file,
    );
  }
  if (actual > expected) fail(`${actual - expected} bytes follow the ${rows} x ${cols} values; the file is not one array`);
  return { dtype: dtype as NpyDtype, rows, cols, dataOffset };
}

function dtypeOf(descr: string): NpyDtype | undefined {
  // '<' little-endian; '|' and '=' appear for native order on little-endian writers.
  const m = /^[<|=]?f([248])$/.exec(descr);
  if (!m) return undefined;
  if (descr.startsWith('=') && !isLittleEndianHost()) return undefined;
  return `f${m[1]}` as NpyDtype;
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Bytes per value of `dtype`. */
export function npyItemBytes(dtype: NpyDtype): number {
  return ITEM_BYTES[dtype];
}

/** `out.length` values stored as `dtype` (little-endian) from byte `at` of `view`, as float32. */
export function decodeNpyValues(view: DataView, at: number, dtype: NpyDtype, out: Float32Array): void {
  const n = out.length;
  if (dtype === 'f4') for (let j = 0; j < n; j++) out[j] = view.getFloat32(at + 4 * j, true);
  else if (dtype === 'f8') for (let j = 0; j < n; j++) out[j] = view.getFloat64(at + 8 * j, true);
  else for (let j = 0; j < n; j++) out[j] = halfToFloat(view.getUint16(at + 2 * j, true));
}

/** IEEE 754 binary16 to a JS number (Node 20 has no Float16Array). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A `.npy` file's bytes for `data` (float32, C order): for tests, benchmarks and sidecar exports. */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Buffer {
  if (data.length !== rows * cols) throw new RangeError(`data has ${data.length} values, not ${rows} x ${cols}`);
  const body = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], i * 4);
  return Buffer.concat([encodeNpyHeader(rows, cols), body]);
}

/**
 * The bytes before a `rows x cols` array's values (version 1.0, C order), for writers that stream
 * the values themselves: `descr` is NumPy's dtype string, `<f4` (float32) or `<f2` (float16).
 */
export function encodeNpyHeader(rows: number, cols: number, descr: '<f4' | '<f2' = '<f4'): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // Pad with spaces so magic + version + length + header + '\n' is a multiple of 64, as NumPy does.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1')]);
}
