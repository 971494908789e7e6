/**
 * The contributions in package.json: Start Labeling is offered on dataset files only (any case of
 * the extension, as the controller accepts them), every command is namespaced with a category, and
 * each command the extension registers is contributed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

interface Entry {
  readonly command: string;
  readonly when?: string;
}
const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, Entry[]>;
    keybindings: Entry[];
  };
};

/** The regex of a `resourceExtname =~ /.../flags` term, as VS Code's context-key parser reads it. */
function extnameRegex(when: string | undefined): RegExp {
  const match = /resourceExtname =~ \/(.+)\/([a-z]*)/.exec(when ?? '');
  assert.ok(match, `"${when}" tests resourceExtname with a regex`);
  return new RegExp(match[1] as string, match[2]);
}

test('Start Labeling shows in the explorer and editor title for .jsonl/.csv/.tsv/.txt only, in any case', () => {
  const { menus, keybindings } = manifest.contributes;
  const places = [
    ...['explorer/context', 'editor/title', 'editor/title/context'].map((menu) => menus[menu]?.find((e) => e.command === 'activeLabel.startLabeling')),
    keybindings.find((k) => k.command === 'activeLabel.startLabeling'),
  ];
  for (const entry of places) {
    assert.ok(entry, 'Start Labeling is contributed there');
    const re = extnameRegex(entry.when);
    for (const ext of ['.jsonl', '.csv', '.tsv', '.txt', '.CSV', '.JsonL']) assert.ok(re.test(ext), `${ext} matches ${entry.when}`);
    for (const ext of ['.json', '.py', '.txt.bak', '.xcsv', '', '.csvx']) assert.ok(!re.test(ext), `${ext} does not match ${entry.when}`);
  }
  assert.match(menus['explorer/context']?.[0]?.when ?? '', /^!explorerResourceIsFolder && /, 'never on folders');
});

test('every command is namespaced, has a category and a title, and registered ids are all contributed', () => {
  const contributed = manifest.contributes.commands;
  for (const c of contributed) {
    assert.match(c.command, /^activeLabel\.[a-zA-Z]+$/);
    assert.equal(c.category, 'Active Label');
    assert.ok(c.title.length > 0);
  }
  // COMMAND_IDS lives beside `vscode` imports; read it from the source rather than load VS Code.
  const source = readFileSync(path.resolve(__dirname, '../../../src/host/commands.ts'), 'utf8');
  const review = readFileSync(path.resolve(__dirname, '../../../src/host/review/reviewCommands.ts'), 'utf8');
  const block = (/COMMAND_IDS = \[([^\]]+)\]/.exec(source)?.[1] ?? '') + (/REVIEW_COMMAND_IDS = \[([^\]]+)\]/.exec(review)?.[1] ?? '');
  const registered = [...block.matchAll(/'(activeLabel\.[a-zA-Z]+)'/g)].map((m) => m[1]);
  assert.ok(registered.length >= 6);
  assert.deepEqual([...registered].sort(), contributed.map((c) => c.command).sort());
  const palette = manifest.contributes.menus.commandPalette?.map((e) => e.command) ?? [];
  for (const id of registered) assert.ok(palette.includes(id as string), `${id} is in the palette`);
});
