// Runs inside desktop VS Code's extension host (loaded by @vscode/test-electron). Plain CommonJS
// so it needs no build step. Checks activation, command registration, the configuration schema and
// the typed settings reader, against the real `vscode` API.
const assert = require('node:assert/strict');
const vscode = require('vscode');

const EXTENSION_ID = 'active-label.active-label';
// The manifest is the one list of commands (test/unit/host/manifest.test.ts ties it to the code).
const COMMANDS = require('../../package.json').contributes.commands.map((c) => c.command);

const tests = [
  ['the extension activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  }],
  ['every command is registered', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of COMMANDS) assert.ok(all.includes(id), `${id} registered`);
  }],
  ['every command has the Active Label category in the manifest', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID).packageJSON;
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'Active Label', c.command);
  }],
  // Our reader (the extension's API exposes it) on what real VS Code hands it: the manifest's
  // defaults, then hand-edited values it must coerce or clamp.
  ['the settings reader sees the manifest defaults through VS Code', async () => {
    const api = await vscode.extensions.getExtension(EXTENSION_ID).activate();
    const pkg = vscode.extensions.getExtension(EXTENSION_ID).packageJSON;
    const props = pkg.contributes.configuration.properties;
    const settings = api.readSettings();
    for (const key of ['model', 'strategy', 'batchSize', 'retrainEvery', 'randomShare', 'evaluationFraction']) {
      assert.deepEqual(settings[key], props[`activeLabel.${key}`].default, key);
    }
  }],
  ['a hand-edited setting reaches the reader coerced and clamped', async () => {
    const api = await vscode.extensions.getExtension(EXTENSION_ID).activate();
    const config = vscode.workspace.getConfiguration('activeLabel');
    try {
      await config.update('batchSize', 9999, vscode.ConfigurationTarget.Global);
      await config.update('strategy', 'MARGIN', vscode.ConfigurationTarget.Global);
      const settings = api.readSettings();
      assert.equal(settings.batchSize, 500, 'clamped to the maximum');
      assert.equal(settings.strategy, 'margin', 'case-insensitive strategy');
    } finally {
      await config.update('batchSize', undefined, vscode.ConfigurationTarget.Global);
      await config.update('strategy', undefined, vscode.ConfigurationTarget.Global);
    }
  }],
];

async function run() {
  const failures = [];
  for (const [name, fn] of tests) {
    try {
      await fn();
      console.log(`  ok   ${name}`);
    } catch (error) {
      console.log(`  FAIL ${name}: ${error && error.message}`);
      failures.push(name);
    }
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${tests.length} electron tests failed: ${failures.join('; ')}`);
}

module.exports = { run };
