/**
 * The review tests' fixture: 90 items on three topics with distinct vocabularies, and 60 of them
 * already labeled in the log (annotator `ana`, source `import`), three deliberately wrong.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabelLog } from '../../../src/core/labels';
import { labelLogPath } from '../../../src/core/labels/storePath';
import { createRng } from '../../../src/core/random';

const TOPICS: Record<string, string[]> = {
  sports: ['goal', 'match', 'team', 'score', 'league', 'coach', 'striker', 'referee'],
  business: ['market', 'stocks', 'profit', 'shares', 'bank', 'merger', 'investor', 'revenue'],
  weather: ['rain', 'storm', 'wind', 'snow', 'cloud', 'forecast', 'thunder', 'flood'],
};
export const NAMES = Object.keys(TOPICS);
export const PLANTED = ['r4', 'r13', 'r31'];

export interface PlantedDataset {
  readonly dir: string;
  readonly datasetFile: string;
  /** Each item's true topic. */
  readonly truth: ReadonlyMap<string, string>;
  /** The label the log gives each of the 60 labeled items (wrong for PLANTED). */
  readonly given: ReadonlyMap<string, string>;
}

export async function writePlantedDataset(prefix: string): Promise<PlantedDataset> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const datasetFile = path.join(dir, 'data.jsonl');
  const truth = new Map<string, string>();
  const given = new Map<string, string>();
  const rng = createRng(11);
  const rows: string[] = [];
  for (let i = 0; i < 90; i++) {
    const topic = NAMES[i % 3] as string;
    const words = TOPICS[topic] as string[];
    const text = Array.from({ length: 6 }, () => words[Math.floor(rng.next() * words.length)]).join(' ');
    truth.set(`r${i}`, topic);
    rows.push(JSON.stringify({ id: `r${i}`, text: `${text} ${i}` }));
  }
  await fs.writeFile(datasetFile, rows.join('\n') + '\n');
  // 60 labels already in the log, three of them wrong: the start retrains once on all of them.
  const log = await LabelLog.open(labelLogPath(dir, datasetFile));
  await log.append(
    Array.from({ length: 60 }, (_, i) => {
      const id = `r${i}`;
      const right = truth.get(id) as string;
      const label = PLANTED.includes(id) ? (NAMES[(NAMES.indexOf(right) + 1) % 3] as string) : right;
      given.set(id, label);
      return { type: 'label' as const, itemId: id, labels: [label], annotator: 'ana', source: 'import' as const };
    }),
  );
  await log.close();
  return { dir, datasetFile, truth, given };
}
