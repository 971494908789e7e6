/**
 * The Getting Started walkthrough (package.json contributes.walkthroughs, media/walkthrough/*.md):
 * what it shows of the sample is the bundled sample, and every command it links can run on the
 * first click: contributed, registered, and with the extension already active when the walkthrough
 * is open (`onWalkthrough:<id>`), so the click never waits on, or races, the activation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

interface Step {
  readonly id: string;
  readonly description: string;
  readonly media: { readonly markdown?: string };
  readonly completionEvents?: readonly string[];
}
const manifest = JSON.parse(read('package.json')) as {
  engines: { vscode: string };
  activationEvents?: string[];
  contributes: { commands: { command: string }[]; walkthroughs: { id: string; steps: Step[] }[] };
};
const walkthroughs = manifest.contributes.walkthroughs;

/** The bundled sample that Open Sample Dataset copies, as src/host/sessionManager.ts names it. */
function sampleFile(): string {
  const source = read('src/host/sessionManager.ts');
  const match = /joinPath\(this\.context\.extensionUri, ((?:'[^']+', )*'[^']+')\)/.exec(source.slice(source.indexOf('openSample(')));
  assert.ok(match, 'openSample copies a file from the extension folder');
  return path.join(...[...(match[1] as string).matchAll(/'([^']+)'/g)].map((m) => m[1] as string));
}

/** `command:` links in the step descriptions and their markdown. */
function linkedCommands(): string[] {
  const texts = walkthroughs.flatMap((w) => w.steps.flatMap((s) => [s.description, s.media.markdown ? read(s.media.markdown) : '']));
  return [...new Set(texts.flatMap((t) => [...t.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1] as string)))];
}

test('the sample shown in the walkthrough is lines of the bundled sample file, and its size is right', () => {
  const file = sampleFile();
  assert.equal(file, path.join('sample', 'headlines.jsonl'));
  const lines = new Set(read(file).split('\n').filter((l) => l !== ''));
  const shipped = read('.vscodeignore').split('\n');
  assert.ok(shipped.includes(`!${path.dirname(file)}/**`), 'the sample folder is in the .vsix');

  let examples = 0;
  for (const step of walkthroughs.flatMap((w) => w.steps)) {
    if (!step.media.markdown) continue;
    const markdown = read(step.media.markdown);
    if (!markdown.includes(path.basename(file))) continue;
    for (const block of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
      for (const line of (block[1] as string).split('\n').filter((l) => l.trim() !== '')) {
        examples++;
        assert.ok(lines.has(line), `${step.media.markdown}: ${line} is not a line of ${file}`);
      }
    }
    // "400 short news headlines": the count said is the count shipped.
    for (const said of markdown.matchAll(/(\d+) (?:short )?news headlines/g)) assert.equal(Number(said[1]), lines.size, `${step.media.markdown} says ${said[0]}`);
  }
  assert.ok(examples >= 1, 'the walkthrough shows at least one line of the sample');
  for (const said of walkthroughs.flatMap((w) => w.steps).flatMap((s) => [...s.description.matchAll(/(\d+) news headlines/g)])) {
    assert.equal(Number(said[1]), lines.size, `a step says ${said[0]}`);
  }
});

test('every command the walkthrough links or completes on is contributed, registered, and runs on the first click', () => {
  const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
  const source = read('src/host/commands.ts');
  const registered = new Set([...(/COMMAND_IDS = \[([^\]]+)\]/.exec(source)?.[1] ?? '').matchAll(/'(activeLabel\.[a-zA-Z]+)'/g)].map((m) => m[1]));
  const completions = walkthroughs.flatMap((w) => w.steps.flatMap((s) => s.completionEvents ?? [])).map((e) => /^onCommand:(.+)$/.exec(e)?.[1]).filter((id): id is string => id !== undefined);
  const linked = linkedCommands();
  assert.ok(linked.includes('activeLabel.openSample'), 'Open Sample Dataset is linked');
  for (const id of [...linked, ...completions]) {
    assert.ok(contributed.has(id), `${id} is in contributes.commands`);
    assert.ok(registered.has(id), `${id} is registered by the extension`);
  }
  // Activation: VS Code (>= 1.74) activates on a contributed command by itself, but a click on a
  // walkthrough button then races the activation; opening the walkthrough activates us first.
  const [major, minor] = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
  assert.ok((major as number) > 1 || (minor as number) >= 74, `engines.vscode ${manifest.engines.vscode} activates on contributed commands`);
  const events = manifest.activationEvents ?? [];
  for (const w of walkthroughs) assert.ok(events.includes(`onWalkthrough:${w.id}`), `activationEvents include onWalkthrough:${w.id}`);
});
