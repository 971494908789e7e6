/** model.json beside the log: written atomically, read back validated, never fatal when damaged. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { modelStatePath, readModelState, writeModelState } from '../../../src/core/session/modelStore';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-model-store-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const curve = [
  { version: 3, labels: 40, accuracy: 0.8, macroF1: 0.75, evaluated: 20, low: 0.58, high: 0.92 },
  { version: 5, labels: 60, accuracy: 0.85, macroF1: 0.84, evaluated: 27, low: 0.67, high: 0.94 },
];

test('round trip, in a store folder that does not exist yet', async () => {
  const file = modelStatePath(path.join(dir, 'new', 'data-1234'));
  assert.equal(path.basename(file), 'model.json');
  await writeModelState(file, { version: 5, curve });
  assert.deepEqual(await readModelState(file), { state: { version: 5, curve } });
  // No temp file is left beside it.
  assert.deepEqual(await fs.readdir(path.dirname(file)), ['model.json']);
});

test('a missing file is a first session; a damaged one is a warning naming the file and the field', async () => {
  assert.deepEqual(await readModelState(path.join(dir, 'none', 'model.json')), { state: null });
  const file = path.join(dir, 'bad.json');
  await fs.writeFile(file, '{"format":1,');
  const torn = await readModelState(file);
  assert.equal(torn.state, null);
  assert.ok(torn.warning?.startsWith(file) && /not JSON/.test(torn.warning), torn.warning);
  await fs.writeFile(file, JSON.stringify({ format: 1, version: 5, curve: [{ ...curve[0], accuracy: 2 }] }));
  const invalid = await readModelState(file);
  assert.equal(invalid.state, null);
  assert.match(invalid.warning ?? '', /field curve\.0\.accuracy/);
  await fs.writeFile(file, JSON.stringify({ format: 2, version: 5, curve }));
  assert.match((await readModelState(file)).warning ?? '', /field format/);
});
