/**
 * Writes a file so that readers see either the old file or the complete new one, never a half:
 * write a temp file beside it, fsync, rename over the target, fsync the directory. Also the other
 * durability helpers of the store: directories created durably, directory fsync.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const FLUSH_BYTES = 1 << 20;

/** A sink that batches small strings into large writes. */
export type WriteText = (text: string) => Promise<void>;

export async function writeFileAtomic(file: string, produce: (write: WriteText) => Promise<void>): Promise<void> {
  const dir = dirname(file);
  await mkdirDurable(dir);
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

/**
 * `mkdir -p` whose result survives power loss: a new directory is only durable once the directory
 * holding its entry is fsynced, so this fsyncs every directory it created and the existing one
 * above the first. Returns the directories it synced, deepest first (empty when all existed).
 */
export async function mkdirDurable(dir: string): Promise<string[]> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return [];
  const top = dirname(resolve(first));
  const synced: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    await syncDirectory(d);
    synced.push(d);
    // dirname of a root is the root: stop there whatever mkdir reported
    if (d === top || dirname(d) === d) break;
  }
  return synced;
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
