import { constants, promises as fsp, type Stats } from 'node:fs';
import { DatasetError } from './errors';

export interface FileFacts {
  readonly size: number;
  readonly hasBom: boolean;
}

/** How much of the head the binary check reads, as git and grep do. */
const sniffBytes = 8192;
/**
 * A head with more than this share of NUL and control bytes is binary. Text has almost none (a
 * stray NUL is a bad row, reported on its line); random or compressed data has ~10%, structured
 * binaries (models, images, archives) far more.
 */
const binaryShare = 0.05;

/**
 * Checks the file before any reader starts: it exists, is a regular file, and is text. The type is
 * checked with `stat` BEFORE opening: opening a FIFO for reading blocks until a writer appears (for
 * ever, usually), and reading a device or a socket never ends. This is the one entry every loader
 * passes through (loadDataset, previewDataset), so the CLI and the extension both get the refusal.
 */
export async function inspectFile(file: string): Promise<FileFacts> {
  let stat: Stats;
  try {
    stat = await fsp.stat(file);
  } catch (err) {
    throw cannotRead(file, err);
  }
  if (!stat.isFile()) {
    throw new DatasetError(
      `Cannot read ${file}: it is ${describeKind(stat)}, not a regular file. Fix: choose a .jsonl, .csv, .tsv or .txt file` +
        (stat.isDirectory() ? ' inside the folder.' : ' (save the data to a file first).'),
      file,
    );
  }
  let handle: fsp.FileHandle;
  try {
    // Non-blocking, in case the path was swapped for a FIFO since the stat: open must never wait.
    handle = await fsp.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw cannotRead(file, err);
  }
  try {
    if (!(await handle.stat()).isFile()) throw new DatasetError(`Cannot read ${file}: it is not a regular file.`, file);
    const head = Buffer.alloc(Math.min(sniffBytes, stat.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const refusal = binaryRefusal(bytes);
    if (refusal !== undefined) {
      throw new DatasetError(
        `Refusing to load ${file}: ${refusal}. Choose a .jsonl, .csv, .tsv or .txt file; if it is UTF-16 text, re-save it as UTF-8.`,
        file,
      );
    }
    const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { size: stat.size, hasBom };
  } finally {
    await handle.close();
  }
}

/**
 * Why the head is not UTF-8 text, or undefined. One NUL byte is not enough (it is reported as a bad
 * row on its line); UTF-16 is named as such, because its fix differs from a binary file's.
 */
export function binaryRefusal(head: Uint8Array): string | undefined {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return 'it is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8';
  }
  let suspicious = 0;
  let nul = 0;
  let nulEven = 0;
  let firstNul = -1;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b === 0) {
      nul++;
      if (i % 2 === 0) nulEven++;
      if (firstNul === -1) firstNul = i;
    }
    if (isBinaryControl(b)) suspicious++;
  }
  // UTF-16 without a BOM: ASCII letters leave a NUL in every other byte.
  if (nul >= 4 && nul >= head.length * 0.2 && Math.max(nulEven, nul - nulEven) >= nul * 0.9) {
    return 'it looks like UTF-16 text (a NUL byte in every other position), not UTF-8';
  }
  if (suspicious >= 2 && suspicious > head.length * binaryShare) {
    const where = firstNul !== -1 ? `a NUL byte at offset ${firstNul}, ` : '';
    return `it looks like a binary file (${where}${suspicious} of its first ${head.length} bytes are NUL or control bytes), not text`;
  }
  return undefined;
}

/** C0 control bytes that text does not use: everything below 0x20 except TAB, LF, VT, FF, CR and ESC. */
export function isBinaryControl(b: number): boolean {
  return b < 0x20 && (b < 0x09 || b > 0x0d) && b !== 0x1b;
}

function cannotRead(file: string, err: unknown): DatasetError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? 'the file does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ELOOP'
          ? 'a symbolic link loops'
          : String(err);
  return new DatasetError(`Cannot read ${file}: ${why}.`, file, { cause: err });
}

function describeKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'a special file';
}
