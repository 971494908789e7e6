/**
 * Keeps package.json's `contributes.configuration` in step with the code: each setting's default,
 * type and bounds come from the settings schema (src/shared/settings.ts), the strategy enum and
 * its descriptions from the strategy registry (src/core/sampling/registry.ts). Descriptions of the
 * settings themselves stay in package.json (they are the user-facing text). Run by `npm run build`;
 * it writes the file only when something changed, and a unit test fails if the two disagree.
 * Usage: node --import tsx scripts/sync-manifest.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { STRATEGIES, STRATEGY_NAMES } from '../src/core/sampling/registry';
import { CONFIG_SECTION, SETTING_SPECS } from '../src/shared/settings';

const file = path.resolve(__dirname, '..', 'package.json');
const before = readFileSync(file, 'utf8');
const manifest = JSON.parse(before) as { contributes: { configuration: { properties: Record<string, Record<string, unknown>> } } };
const properties = manifest.contributes.configuration.properties;

for (const [key, spec] of Object.entries(SETTING_SPECS)) {
  const id = `${CONFIG_SECTION}.${key}`;
  const prop = (properties[id] ??= { description: `TODO: describe ${id}` });
  prop.type = spec.type;
  prop.default = spec.default;
  if ('minimum' in spec) prop.minimum = spec.minimum;
  if ('maximum' in spec) prop.maximum = spec.maximum;
}
const strategy = properties[`${CONFIG_SECTION}.strategy`] as Record<string, unknown>;
strategy.enum = [...STRATEGY_NAMES];
strategy.enumDescriptions = STRATEGY_NAMES.map((name) => STRATEGIES[name].description);

const after = JSON.stringify(manifest, null, 2) + '\n';
if (after !== before) {
  if (process.argv.includes('--check')) {
    console.error('package.json is out of step with the settings schema or the strategy registry: run npm run build.');
    process.exit(1);
  }
  writeFileSync(file, after);
  console.log('sync-manifest: updated contributes.configuration in package.json');
}
