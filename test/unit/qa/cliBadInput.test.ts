/**
 * "Every bad-input case gets its message while the rest loads" (issue 2), checked where a user
 * meets it: the `embed` command's output. Each bad row is named by file:line with a fix, the good
 * rows around it still load and embed, and whole-file problems (binary) are refused clearly.
 * Runs the CLI's entry in-process (the built dist/cli.js is covered by test/unit/cli).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../src/cli/main';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'al-qa-cli-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function embed(name: string, content: string | Buffer): Promise<{ code: number; out: string; err: string; file: string }> {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['embed', '--data', file, '--model', 'lexical', '--cache-dir', path.join(dir, 'cache')], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: () => undefined,
  });
  return { code, out: out.join('\n'), err: err.join('\n'), file };
}

/** Rows 1 and 3 are good; row 2 is the bad one. */
const cases: { name: string; bad: string | Buffer; reason: string }[] = [
  { name: 'invalid-json.jsonl', bad: '{"text": broken', reason: 'invalid JSON' },
  { name: 'missing-field.jsonl', bad: '{"body": "no text field here"}', reason: 'no text in field "text"' },
  { name: 'empty-text.jsonl', bad: '{"text": "   "}', reason: 'is empty' },
  { name: 'bad-utf8.jsonl', bad: Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0x63, 0x61, 0x66, 0xe9, 0x22, 0x7d]), reason: 'not valid UTF-8' },
  { name: 'dup-id.jsonl', bad: '{"id": "a", "text": "another text under the same id"}', reason: 'already used by line 1' },
];

describe('embed reports each bad row by file:line and loads the rest', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const rows = [Buffer.from('{"id": "a", "text": "flood waters rise"}\n'), Buffer.from(c.bad), Buffer.from('\n{"id": "c", "text": "storm warning issued"}\n')];
      const run = await embed(c.name, Buffer.concat(rows));
      assert.equal(run.code, 0, run.err);
      assert.match(run.out, /3 rows, 2 items .* 1 skipped/);
      const line = run.out.split('\n').find((l) => l.includes(`${run.file}:2:`));
      assert.ok(line, `names ${c.name}:2 in\n${run.out}`);
      assert.ok(line.includes(c.reason), line);
      assert.match(line, /Fix: /);
      assert.match(run.out, /2 computed/, 'the good rows were embedded');
    });
  }

  it('a CSV with an unclosed quote names where it starts', async () => {
    const run = await embed('unclosed.csv', 'id,text\n1,fine\n2,"unclosed quote\n3,swallowed\n');
    assert.equal(run.code, 0, run.err);
    assert.ok(run.out.includes(`${run.file}:3:`), run.out);
    assert.match(run.out, /Fix: /);
  });

  it('CRLF endings, a BOM and quoted newlines load cleanly', async () => {
    const crlf = await embed('crlf.jsonl', '\ufeff{"text":"one"}\r\n{"text":"two"}\r\n');
    assert.match(crlf.out, /2 rows, 2 items .* 0 skipped/);
    const csv = await embed('quoted.csv', 'id,text\n1,"multi\nline, with a comma"\n2,plain\n');
    assert.match(csv.out, /2 rows, 2 items .* 0 skipped/);
  });

  it('a binary file is refused with one clear message and exit 1', async () => {
    const run = await embed('binary.jsonl', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]));
    assert.equal(run.code, 1);
    assert.match(run.err, /binary\.jsonl.*binary file/);
  });

  it('an empty file loads nothing and says so', async () => {
    const run = await embed('empty.jsonl', '');
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /0 rows, 0 items/);
  });
});
