import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import type { LabelEventInput } from '../../../src/core/labels';

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'active-label-labels-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Gives every test of the enclosing describe a fresh labels.jsonl path in its own temp folder. */
export function eachTempLog(use: (file: string) => void): void {
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    use(join(temp.dir, 'labels.jsonl'));
  });
  afterEach(() => cleanup?.());
}

export function labelInput(itemId: string, labels: string[], extra: Partial<LabelEventInput> = {}): LabelEventInput {
  return { type: 'label', itemId, labels, annotator: 'alice', source: 'queue', ...extra };
}

/** Starts a child script under tsx with IPC, as a real separate Node process. */
export function forkChild(script: string, args: string[], pipeStdout = false): ChildProcess {
  return fork(join(__dirname, 'children', script), args, {
    execArgv: ['--import', 'tsx'],
    stdio: pipeStdout ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before sending a message`)));
  });
}
