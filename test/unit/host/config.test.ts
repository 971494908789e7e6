import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { defaultAnnotator } from '../../../src/host/annotator';
import { STRATEGIES, STRATEGY_NAMES } from '../../../src/core/sampling/registry';
import { defaultSettings, KEYMAP_ACTIONS, readSettings, SETTING_SPECS, type ConfigSource } from '../../../src/shared/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; enum?: string[]; description?: string; markdownDescription?: string }> } };
};
const schema = manifest.contributes.configuration.properties as Record<string, { default?: unknown; enum?: string[]; description?: string; markdownDescription?: string; type?: string; minimum?: number; maximum?: number }>;

/** A ConfigSource the way VS Code builds it: schema defaults overlaid with the user's values. */
function source(user: Record<string, unknown> = {}): ConfigSource {
  return {
    get<T>(key: string): T | undefined {
      if (key in user) return user[key] as T;
      return schema[`activeLabel.${key}`]?.default as T | undefined;
    },
  };
}

test('package.json declares every setting of the schema, with its default, bounds and enum', () => {
  const keys = Object.keys(schema).map((k) => k.replace(/^activeLabel\./, '')).sort();
  assert.deepEqual(keys, Object.keys(SETTING_SPECS).sort(), 'the same settings');
  for (const [key, spec] of Object.entries(SETTING_SPECS)) {
    const prop = schema[`activeLabel.${key}`] as Record<string, unknown>;
    assert.deepEqual(prop.default, spec.default, `${key} default`);
    assert.equal(prop.type, spec.type, `${key} type`);
    if ('minimum' in spec) assert.equal(prop.minimum, spec.minimum, `${key} minimum`);
    if ('maximum' in spec) assert.equal(prop.maximum, spec.maximum, `${key} maximum`);
    assert.ok(prop.description ?? prop.markdownDescription, `${key} has a description`);
  }
});

test('the strategy enum and its descriptions are the registry, in order', () => {
  const prop = schema['activeLabel.strategy'] as { enum?: string[]; enumDescriptions?: string[] };
  assert.deepEqual(prop.enum, [...STRATEGY_NAMES]);
  assert.deepEqual(prop.enumDescriptions, STRATEGY_NAMES.map((n) => STRATEGIES[n].description));
});

test('a missing setting reads as the schema default', () => {
  const s = readSettings({ get: () => undefined });
  assert.deepEqual(s, defaultSettings);
  assert.equal(s.batchSize, SETTING_SPECS.batchSize.default);
  assert.deepEqual(readSettings(source()), s, 'what VS Code fills in from package.json reads the same');
});

test('hand-edited values are coerced, clamped or replaced by defaults', () => {
  const s = readSettings(
    source({ model: '  lexical ', strategy: 'MARGIN', batchSize: '25', retrainEvery: -3, randomShare: 7, annotator: ' ann ' }),
  );
  assert.equal(s.model, 'lexical');
  assert.equal(s.strategy, 'margin');
  assert.equal(s.batchSize, 25);
  assert.equal(s.retrainEvery, 1);
  assert.equal(s.randomShare, 1);
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

test('defaultAnnotator resolves to a non-empty name', async () => {
  const name = await defaultAnnotator(process.cwd());
  assert.ok(typeof name === 'string' && name.length > 0);
});
