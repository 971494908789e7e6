import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { defaultAnnotator, defaultSettings, KEYMAP_ACTIONS, readSettings, type ConfigSource } from '../../../src/host/config';
import { STRATEGY_IDS } from '../../../src/shared/workerProtocol';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; enum?: string[]; description?: string; markdownDescription?: string }> } };
};
const schema = manifest.contributes.configuration.properties;

/** A ConfigSource the way VS Code builds it: schema defaults overlaid with the user's values. */
function source(user: Record<string, unknown> = {}): ConfigSource {
  return {
    get<T>(key: string): T | undefined {
      if (key in user) return user[key] as T;
      return schema[`activeLabel.${key}`]?.default as T | undefined;
    },
  };
}

test('the reader returns the package.json defaults unchanged', () => {
  const s = readSettings(source());
  assert.equal(s.model, schema['activeLabel.model'].default);
  assert.equal(s.strategy, schema['activeLabel.strategy'].default);
  assert.equal(s.batchSize, schema['activeLabel.batchSize'].default);
  assert.equal(s.retrainEvery, schema['activeLabel.retrainEvery'].default);
  assert.equal(s.randomShare, schema['activeLabel.randomShare'].default);
  assert.equal(s.evaluationFraction, schema['activeLabel.evaluationFraction'].default);
  assert.deepEqual({ ...s.keymap }, schema['activeLabel.keymap'].default);
  assert.deepEqual(readSettings(source()), readSettings({ get: () => undefined }), 'built-in defaults mirror the schema');
});

test('every setting has a description and the strategy enum matches the engine', () => {
  for (const [key, prop] of Object.entries(schema)) assert.ok(prop.description ?? prop.markdownDescription, `${key} has a description`);
  assert.deepEqual(schema['activeLabel.strategy'].enum, [...STRATEGY_IDS]);
});

test('hand-edited values are coerced, clamped or replaced by defaults', () => {
  const s = readSettings(
    source({ model: '  lexical ', strategy: 'MARGIN', batchSize: '25', retrainEvery: -3, randomShare: 7, evaluationFraction: 'lots', annotator: ' ann ' }),
  );
  assert.equal(s.model, 'lexical');
  assert.equal(s.strategy, 'margin');
  assert.equal(s.batchSize, 25);
  assert.equal(s.retrainEvery, 1);
  assert.equal(s.randomShare, 1);
  assert.equal(s.evaluationFraction, defaultSettings.evaluationFraction);
  assert.equal(s.annotator, 'ann');
  const bad = readSettings(source({ model: '', strategy: 'nope', batchSize: null, keymap: 'x' }));
  assert.equal(bad.model, defaultSettings.model);
  assert.equal(bad.strategy, defaultSettings.strategy);
  assert.equal(bad.batchSize, defaultSettings.batchSize);
  assert.deepEqual(bad.keymap, defaultSettings.keymap);
});

test('keymap: known actions are remapped; digits and duplicate keys are refused', () => {
  const s = readSettings(source({ keymap: { skip: 's', undo: 'u', flag: '3', help: 's', bogus: 'q' } }));
  assert.equal(s.keymap.skip, 's');
  assert.equal(s.keymap.undo, 'u');
  assert.equal(s.keymap.flag, defaultSettings.keymap.flag, 'digits belong to labels');
  assert.equal(s.keymap.help, defaultSettings.keymap.help, 'a key bound twice keeps its first action');
  assert.deepEqual(Object.keys(s.keymap).sort(), [...KEYMAP_ACTIONS].sort());
  assert.equal(readSettings(source({ keymap: { skip: 'space' } })).keymap.skip, ' ');
});

test('defaultAnnotator resolves to a non-empty name without blocking', async () => {
  const started = performance.now();
  const pending = defaultAnnotator(process.cwd());
  assert.ok(performance.now() - started < 50, 'returns at once; git runs asynchronously');
  const name = await pending;
  assert.ok(typeof name === 'string' && name.length > 0);
});
