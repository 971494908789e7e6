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
  ['configuration defaults match the schema', () => {
    const config = vscode.workspace.getConfiguration('activeLabel');
    assert.equal(config.get('model'), 'Xenova/all-MiniLM-L6-v2');
    assert.equal(config.get('strategy'), 'clustered-uncertainty');
    assert.equal(config.get('batchSize'), 10);
    assert.equal(config.get('retrainEvery'), 10);
    assert.equal(config.get('randomShare'), 0.1);
    assert.equal(config.get('evaluationFraction'), 0.1);
  }],
  ['a changed setting is read back through the configuration API', async () => {
    const config = vscode.workspace.getConfiguration('activeLabel');
    await config.update('batchSize', 25, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(vscode.workspace.getConfiguration('activeLabel').get('batchSize'), 25);
    } finally {
      await config.update('batchSize', undefined, vscode.ConfigurationTarget.Global);
    }
  }],
  ['Show Learning Curve without a session does not throw', async () => {
    await vscode.commands.executeCommand('activeLabel.showLearningCurve');
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
