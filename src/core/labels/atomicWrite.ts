/**
 * Writes a file so that readers see either the old file or the complete new one, never a half:
 * write a temp file beside it, fsync, rename over the target, fsync the directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const FLUSH_BYTES = 1 << 20;

/** A sink that batches small strings into large writes. */
export type WriteText = (text: string) => Promise<void>;

export async function writeFileAtomic(file: string, produce: (write: WriteText) => Promise<void>): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  let committed = false;
  try {
    let buffered: string[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (buffered.length === 0) return;
      const bytes = Buffer.from(buffered.join(''), 'utf8');
      buffered = [];
      size = 0;
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    };
    await produce(async (text) => {
      buffered.push(text);
      size += text.length;
      if (size >= FLUSH_BYTES) await flush();
    });
    await flush();
    await handle.sync();
    await handle.close();
    await rename(temp, file);
    committed = true;
    await syncDirectory(dir);
  } finally {
    if (!committed) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    }
  }
}

/** Makes a directory entry (a new or renamed file) durable; not possible (nor needed) on Windows. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the renamed file's data is already synced.
  } finally {
    await handle.close();
  }
}
