import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDataset, previewDataset } from '../../../src/core/dataset';
import { useTempDir } from './tempFiles';

const tmp = useTempDir();

/** Names that every plain object inherits, or that set its prototype when assigned. */
const hostileNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

describe('field names never reach Object.prototype', () => {
  it('CSV: the attack file, where a short row lacks the `constructor` column', async () => {
    const file = await tmp.write('ctor.csv', 'id,constructor\n1,alpha text\n2,beta text\n3\n');
    const ds = await loadDataset(file);
    assert.deepEqual(ds.items.map((i) => [i.id, i.text]), [
      ['1', 'alpha text'],
      ['2', 'beta text'],
    ]);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[4, 'missing-text-field']]);
    assert.match(ds.problems[0].message, /ctor\.csv:4: no text in field "constructor".*Fix: /);
  });

  for (const name of hostileNames) {
    it(`CSV: "${name}" as the text, label and id column`, async () => {
      for (const role of ['text', 'label', 'id'] as const) {
        const columns = { text: role === 'text' ? name : 'text', label: role === 'label' ? name : 'label', id: role === 'id' ? name : 'id' };
        const header = `${columns.id},${columns.text},${columns.label}`;
        // Row 3 has no label cell and row 4 neither label nor text: nothing may come from a prototype.
        const file = await tmp.write(`${role}-${name}.csv`, `${header}\nk1,first text,pos\nk2,second text\nk3\n`);
        const ds = await loadDataset(file, { textField: columns.text, labelField: columns.label, idField: columns.id });
        assert.deepEqual(ds.items.map((i) => [i.id, i.text, i.importedLabels]), [
          ['k1', 'first text', ['pos']],
          ['k2', 'second text', undefined],
        ], `${role} ${name}`);
        assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[4, 'missing-text-field']], `${role} ${name}`);
        assert.ok(ds.fields.includes(name), `${role} ${name}: ${ds.fields.join(',')}`);
      }
    });

    it(`JSONL: "${name}" as the text, label and id field`, async () => {
      for (const role of ['text', 'label', 'id'] as const) {
        const f = { text: role === 'text' ? name : 'text', label: role === 'label' ? name : 'label', id: role === 'id' ? name : 'id' };
        // JSON.stringify of a literal `__proto__` key would drop it: write the lines by hand.
        const lines = [
          `{${JSON.stringify(f.id)}: "k1", ${JSON.stringify(f.text)}: "first text", ${JSON.stringify(f.label)}: "pos"}`,
          `{${JSON.stringify(f.id)}: "k2", ${JSON.stringify(f.text)}: "second text"}`,
          `{${JSON.stringify(f.id)}: "k3"}`,
          `{${JSON.stringify(f.text)}: "no id here"}`,
        ];
        const file = await tmp.write(`${role}-${name}.jsonl`, lines.join('\n') + '\n');
        const ds = await loadDataset(file, { textField: f.text, labelField: f.label, idField: f.id });
        const items = ds.items.map((i) => [i.id.startsWith('h:') ? 'hash' : i.id, i.text, i.importedLabels]);
        assert.deepEqual(items, [
          ['k1', 'first text', ['pos']],
          ['k2', 'second text', undefined],
          ['hash', 'no id here', undefined],
        ], `${role} ${name}`);
        assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[3, 'missing-text-field']], `${role} ${name}`);
      }
    });
  }

  it('JSONL with --text-field constructor on rows that lack it: reported, not loaded as native code', async () => {
    const file = await tmp.write('ctor.jsonl', '{"constructor":"real text"}\n{"text":"other"}\n');
    const ds = await loadDataset(file, { textField: 'constructor' });
    assert.deepEqual(ds.items.map((i) => i.text), ['real text']);
    assert.deepEqual(ds.problems.map((p) => [p.line, p.reason]), [[2, 'missing-text-field']]);
    assert.ok(!ds.items.some((i) => i.text.includes('native code')));
  });

  it('detection and preview read own fields only', async () => {
    const file = await tmp.write('proto.csv', '__proto__,label\nThe first headline of the set,a\nAnother headline follows,b\n');
    const ds = await loadDataset(file);
    assert.equal(ds.textField, '__proto__');
    assert.deepEqual(ds.items.map((i) => i.text), ['The first headline of the set', 'Another headline follows']);
    const preview = await previewDataset(file, 1);
    assert.deepEqual(Object.keys(preview.rows[0]), ['__proto__', 'label']);
    assert.equal(preview.rows[0]['__proto__'], 'The first headline of the set');
    assert.equal(Object.getPrototypeOf(preview.rows[0]), Object.prototype);
  });
});
