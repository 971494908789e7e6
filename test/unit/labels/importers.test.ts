/**
 * Importers of other tools' exports. The fixtures in test/fixtures/imports/ follow each tool's
 * documented export shape:
 * - Prodigy `db-out` JSONL: https://prodi.gy/docs/api-interfaces (choice tasks: `options` +
 *   `accept`; binary classification: `label` + `answer`; `_annotator_id`, `_session_id`).
 * - doccano text classification JSONL: doccano/doccano backend/data_export (pipeline/factories.py
 *   renames the category column to `label`, a sorted list; tests/test_task.py shows the rows).
 * - Label Studio JSON export: https://labelstud.io/guide/task_format (tasks with `data`,
 *   `annotations[].result[].value.choices`, `completed_by`, `was_cancelled`, `predictions`).
 * - Argilla 2.x records: https://docs.argilla.io/latest/how_to_guides/import_export
 *   (`to_list(flatten=True)`: `label.responses`, `label.responses.users`, `label.suggestion`).
 * - Hugging Face `datasets` JSONL/CSV: https://huggingface.co/docs/datasets/loading (`text`,
 *   `label` as a name or a ClassLabel index).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset';
import { LabelLog, parseEventLine, replay, serializeEvent, completeEvent } from '../../../src/core/labels';
import { detectImportFormat, matchImport, parseImport, type ImportTool, type MatchOptions, type ParsedImport } from '../../../src/core/labels/importers';
import type { DatasetItem } from '../../../src/core/types';
import { labelInput, tempDir } from './helpers';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'imports');
const LABELS = ['sports', 'business', 'tech'];
const OPTIONS: MatchOptions = { labels: LABELS, mode: 'single', defaultAnnotator: 'import:file' };
const EMPTY = { state: new Map(), eventIds: new Set<string>() };

async function fixture(name: string, options: Parameters<typeof parseImport>[2] = {}): Promise<ParsedImport> {
  const file = join(FIXTURES, name);
  return parseImport(name, await readFile(file, 'utf8'), options);
}

async function items(): Promise<readonly DatasetItem[]> {
  return (await loadDataset(join(FIXTURES, 'news.jsonl'))).items;
}

/** [itemId, labels, annotator] of each event, for compact comparisons. */
function triples(events: ReturnType<typeof matchImport>['events']): [string, string, string][] {
  return events.map((e) => [e.itemId, e.labels.join('|'), e.annotator]);
}

function kindsByLine(parsed: { problems?: readonly { line: number; kind: string }[]; notes?: readonly { line: number; kind: string }[] }): [number, string][] {
  return (parsed.problems ?? parsed.notes ?? []).map((p) => [p.line, p.kind]);
}

describe('detectImportFormat', () => {
  const cases: [string, ImportTool][] = [
    ['prodigy.jsonl', 'prodigy'],
    ['doccano.jsonl', 'doccano'],
    ['label-studio.json', 'label-studio'],
    ['argilla.jsonl', 'argilla'],
    ['hf.jsonl', 'hf-datasets'],
    ['hf.csv', 'hf-datasets'],
  ];
  for (const [name, tool] of cases) {
    it(`recognises ${name} as ${tool} from its shape`, async () => {
      assert.equal(detectImportFormat(name, await readFile(join(FIXTURES, name), 'utf8')), tool);
    });
  }

  it('does not take Active Label\'s own multi-label export for doccano', () => {
    const line = JSON.stringify({ text: 't', label: ['a', 'b'], meta: { annotator: 'ana', source: 'queue' } });
    assert.equal(detectImportFormat('x.jsonl', line), 'hf-datasets');
  });
});

describe('Prodigy JSONL', () => {
  it('imports accepted choices and binary labels, reports rejects, ignores and broken lines by line', async () => {
    const parsed = await fixture('prodigy.jsonl');
    assert.deepEqual(kindsByLine(parsed), [[4, 'rejected'], [5, 'ignored'], [7, 'invalid-json']]);
    assert.match(parsed.notes[2]?.message ?? '', /^prodigy\.jsonl:7: not valid JSON/);
    const result = matchImport(parsed, await items(), EMPTY, OPTIONS);
    assert.deepEqual(triples(result.events), [
      ['n1', 'sports', 'news-alex'],
      ['n2', 'business', 'news-alex'], // the export's double space is whitespace-normalized away
      ['n3', 'tech', '2018-08-11_13-28-10'], // "TECH" maps case-insensitively; no _annotator_id: the session
    ]);
    assert.ok(result.events.every((e) => e.source === 'import' && e.tool === 'prodigy'));
    assert.deepEqual(kindsByLine(result), [[4, 'rejected'], [5, 'ignored'], [6, 'unmatched'], [7, 'invalid-json'], [8, 'unknown-label']]);
    assert.equal(result.summary.unknownLabels.politics, 1);
    assert.match(result.problems.find((p) => p.kind === 'unmatched')?.message ?? '', /^prodigy\.jsonl:6: no item of the dataset has the text "This headline/);
  });
});

describe('doccano JSONL', () => {
  it('imports label lists, matches by text when doccano\'s own id names another item, and reports the rest', async () => {
    const parsed = await fixture('doccano.jsonl');
    const result = matchImport(parsed, await items(), EMPTY, OPTIONS);
    // Line 1 has doccano id 1; the dataset's item "1" has another text, so the text decides (n2).
    assert.deepEqual(triples(result.events), [
      ['n2', 'business', 'import:file'],
      ['n1', 'sports', 'import:file'],
      ['n3', 'tech', 'import:file'],
    ]);
    assert.deepEqual(kindsByLine(result), [[3, 'no-label'], [4, 'unknown-label'], [5, 'not-a-record'], [6, 'invalid-json']]);
  });
});

describe('Label Studio JSON', () => {
  it('imports each annotation with its annotator, skips cancelled ones and predictions, reports tasks by line', async () => {
    const content = await readFile(join(FIXTURES, 'label-studio.json'), 'utf8');
    const lineOfTask = (id: number): number => content.split('\n').findIndex((l) => l.trim() === `"id": ${id},`); // the "{" is the line before
    const parsed = parseImport('label-studio.json', content);
    const result = matchImport(parsed, await items(), EMPTY, { ...OPTIONS, mode: 'multi' });
    assert.deepEqual(triples(result.events), [
      ['n1', 'sports', 'label-studio:1'],
      ['n1', 'business', 'bo@example.com'],
      ['n3', 'tech', 'label-studio:1'],
    ]);
    assert.deepEqual(kindsByLine(result), [
      [lineOfTask(102), 'cancelled'],
      [lineOfTask(103), 'suggestion-only'],
      [lineOfTask(105), 'unmatched'],
    ]);
    assert.ok(result.events.every((e) => e.tool === 'label-studio'));
  });

  it('reports a file that is not JSON at line 1 and imports nothing', () => {
    const parsed = parseImport('ls.json', '[{"data": {"text": "a"}, "annotations": [');
    assert.equal(parsed.records.length, 0);
    assert.deepEqual(kindsByLine(parsed), [[1, 'invalid-json']]);
  });
});

describe('Argilla records', () => {
  it('imports each submitted response by user (flattened and nested shapes), never a suggestion or a draft', async () => {
    const parsed = await fixture('argilla.jsonl');
    const result = matchImport(parsed, await items(), EMPTY, OPTIONS);
    assert.deepEqual(triples(result.events), [
      ['n1', 'sports', '2f3e2b8a-aaaa-4aaa-8aaa-000000000001'],
      ['n1', 'sports', '2f3e2b8a-bbbb-4bbb-8bbb-000000000002'],
      ['n2', 'business', '2f3e2b8a-bbbb-4bbb-8bbb-000000000002'],
    ]);
    assert.deepEqual(kindsByLine(result), [[2, 'suggestion-only'], [3, 'no-label']]);
  });
});

describe('Hugging Face datasets', () => {
  it('maps ClassLabel indexes through the class names, and reports an index without a name', async () => {
    const parsed = await fixture('hf.jsonl', { classNames: LABELS });
    const result = matchImport(parsed, await items(), EMPTY, OPTIONS);
    assert.deepEqual(triples(result.events).map(([id, l]) => [id, l]), [['n1', 'sports'], ['n2', 'business'], ['n3', 'tech']]);
    assert.deepEqual(kindsByLine(result), [[4, 'class-index']]);
    const unnamed = await fixture('hf.jsonl');
    assert.equal(unnamed.records.length, 0, 'indexes are never guessed into names');
    assert.equal(unnamed.notes.filter((n) => n.kind === 'class-index').length, 4);
  });

  it('reads CSV with quoted line breaks and reports each record at its first line', async () => {
    const parsed = await fixture('hf.csv');
    assert.deepEqual(parsed.records.map((r) => [r.line, r.labels.join('|')]), [[2, 'sports'], [3, 'business'], [6, 'business']]);
    assert.deepEqual(kindsByLine(parsed), [[5, 'no-label']]);
    const result = matchImport(parsed, await items(), EMPTY, OPTIONS);
    assert.deepEqual(result.events.map((e) => e.itemId), ['n1', 'n2', 'n5']);
  });

  it('reads back Active Label\'s own export, with its annotator, and leaves exported predictions out', () => {
    const lines = [
      { text: 'The home team won the championship final last night.', label: 'sports', meta: { id: 'n1', annotator: 'ana', source: 'queue', flagged: false } },
      { text: 'Central bank leaves interest rates unchanged.', label: 'business', meta: { id: 'n5', annotator: null, source: 'prediction', confidence: 0.9 } },
    ].map((o) => JSON.stringify(o));
    const parsed = parseImport('export.jsonl', lines.join('\n'));
    assert.deepEqual(parsed.records.map((r) => [r.itemRef.id, r.annotator]), [['n1', 'ana']]);
    assert.deepEqual(kindsByLine(parsed), [[2, 'suggestion-only']]);
  });
});

describe('matchImport rules', () => {
  const record = (labels: string[], line = 1, annotator?: string): ParsedImport['records'][number] => ({
    itemRef: { id: 'n1' },
    labels,
    sourceTool: 'prodigy',
    file: 'x.jsonl',
    line,
    ...(annotator !== undefined ? { annotator } : {}),
  });
  const parsedOf = (records: ParsedImport['records']): ParsedImport => ({ tool: 'prodigy', records, notes: [] });

  it('takes one label per record in single mode and several in multi mode', async () => {
    const parsed = parsedOf([record(['sports', 'tech'])]);
    const single = matchImport(parsed, await items(), EMPTY, OPTIONS);
    assert.equal(single.events.length, 0);
    assert.deepEqual(kindsByLine(single), [[1, 'too-many-labels']]);
    const multi = matchImport(parsed, await items(), EMPTY, { ...OPTIONS, mode: 'multi' });
    assert.deepEqual(multi.events.map((e) => e.labels), [['sports', 'tech']]);
  });

  it('appends through the log, keeps labels given here, and adds nothing on a second import', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const logFile = join(dir, 'labels.jsonl');
      const log = await LabelLog.open(logFile);
      await log.append(labelInput('n2', ['tech'], { annotator: 'ana' }));
      const parsed = await fixture('prodigy.jsonl');
      const data = await items();
      const before = await replay(logFile);
      const first = matchImport(parsed, data, { state: before.state, eventIds: new Set(before.events.map((e) => e.eventId)) }, OPTIONS);
      assert.deepEqual(first.events.map((e) => e.itemId), ['n1', 'n3'], 'n2 keeps ana\'s label');
      assert.equal(first.summary.keptExisting, 1);
      await log.append(first.events);
      const after = await replay(logFile);
      assert.deepEqual(after.state.get('n1')?.labels, ['sports']);
      assert.equal(after.state.get('n1')?.labelEvent?.tool, 'prodigy');
      assert.equal(after.state.get('n1')?.labelEvent?.source, 'import');
      assert.equal(after.state.get('n2')?.labelEvent?.annotator, 'ana');
      const again = matchImport(parsed, data, { state: after.state, eventIds: new Set(after.events.map((e) => e.eventId)) }, OPTIONS);
      assert.equal(again.events.length, 0);
      assert.equal(again.summary.alreadyImported, 2);
      const overwrite = matchImport(parsed, data, { state: after.state, eventIds: new Set(after.events.map((e) => e.eventId)) }, { ...OPTIONS, overwrite: true });
      assert.deepEqual(overwrite.events.map((e) => [e.itemId, e.labels[0]]), [['n2', 'business']]);
      await log.close();
    } finally {
      await cleanup();
    }
  });

  it('keeps two annotators\' different labels for one item as two events, and one copy of a repeated judgement', async () => {
    const parsed = parsedOf([record(['sports'], 1, 'a'), record(['sports'], 2, 'a'), record(['tech'], 3, 'b')]);
    const result = matchImport(parsed, await items(), EMPTY, OPTIONS);
    assert.deepEqual(triples(result.events), [['n1', 'sports', 'a'], ['n1', 'tech', 'b']]);
    assert.equal(result.summary.alreadyImported, 1);
  });
});

describe('the event schema\'s tool field', () => {
  it('round-trips, is validated, and older lines without it still read', () => {
    const event = completeEvent({ type: 'label', itemId: 'n1', labels: ['sports'], annotator: 'a', source: 'import', tool: 'label-studio' });
    const parsed = parseEventLine(serializeEvent(event));
    assert.ok(parsed.ok);
    assert.equal(parsed.event.tool, 'label-studio');
    assert.throws(() => completeEvent({ ...event, tool: 'Not A Tool!' }), /"tool"/);
    const old = parseEventLine('{"v":1,"type":"label","eventId":"e1","itemId":"n1","labels":["x"],"annotator":"a","time":"2024-01-01T00:00:00.000Z","source":"import"}');
    assert.ok(old.ok);
    assert.equal(old.event.tool, undefined);
  });
});
