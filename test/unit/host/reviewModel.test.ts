import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelState, completeEvent } from '../../../src/core/labels';
import { APPLY_COMMAND, escapeMarkdown, hoverMarkdown } from '../../../src/host/review/hoverText';
import { ReviewModel } from '../../../src/host/review/reviewModel';

const replayOf = (events: Parameters<typeof completeEvent>[0][]): { state: Map<string, NonNullable<ReturnType<LabelState['get']>>> } => {
  const s = new LabelState();
  for (const e of events) s.apply(completeEvent(e));
  return { state: new Map(s.labels) };
};

describe('the editor review model', () => {
  it('shows the replayed log until the engine publishes, then only the engine', () => {
    const model = new ReviewModel();
    model.applyReplay(replayOf([{ type: 'label', itemId: 'a', labels: ['x'], annotator: 'ana', source: 'queue' }]));
    assert.equal(model.human('a')?.annotator, 'ana');
    model.applyData({
      type: 'reviewData',
      datasetFile: 'f',
      itemIds: ['a', 'b'],
      labels: [{ row: 1, labels: ['y'], annotator: 'bo', source: 'review', time: 't', score: 0.4 }],
      predictions: { version: 2, classes: ['x', 'y'], k: 2, top: Int16Array.from([1, 0, 0, 1]), probs: Float32Array.from([0.8, 0.2, 0.6, 0.4]) },
      suspects: [{ row: 1, given: 'y', suggested: 'x', score: 0.9, suggestedProb: 0.85 }],
    });
    assert.equal(model.human('a'), undefined, 'the engine says a has no label now');
    assert.deepEqual(model.human('b'), { labels: ['y'], annotator: 'bo', source: 'review', time: 't', reviewedScore: 0.4 });
    assert.deepEqual(model.top('a').map((p) => p.label), ['y', 'x']);
    assert.equal(model.review('b').suspect?.suggested, 'x');
    model.applyReplay(replayOf([{ type: 'label', itemId: 'a', labels: ['x'], annotator: 'ana', source: 'queue' }]));
    assert.equal(model.human('a'), undefined, 'a replay does not override the engine');
    model.applyData({ type: 'reviewData', datasetFile: 'f', labels: [{ row: 1, labels: [], annotator: '', source: 'queue', time: '' }] });
    assert.equal(model.human('b'), undefined, 'a label delta with no labels clears it');
    model.detachEngine();
    assert.deepEqual(model.top('a'), []);
    model.applyReplay(replayOf([{ type: 'label', itemId: 'a', labels: ['x'], annotator: 'ana', source: 'queue' }]));
    assert.equal(model.human('a')?.labels[0], 'x');
  });
});

describe('the editor review model after a reload', () => {
  it('drops the row-indexed predictions when new item ids come without them, until the next ones', () => {
    const model = new ReviewModel();
    const predictions = { version: 2, classes: ['x', 'y'], k: 2, top: Int16Array.from([1, 0, 0, 1]), probs: Float32Array.from([0.8, 0.2, 0.6, 0.4]) };
    model.applyData({ type: 'reviewData', datasetFile: 'f', itemIds: ['a', 'b'], labels: [], predictions });
    assert.deepEqual(model.top('b').map((p) => p.label), ['x', 'y']);
    // A line inserted above: 'b' moves to row 2; row 1's prediction belongs to the old 'b'.
    model.applyData({ type: 'reviewData', datasetFile: 'f', itemIds: ['a', 'new', 'b'], labels: [] });
    assert.deepEqual(model.top('new'), [], 'no prediction borrowed from the row that was there');
    assert.deepEqual(model.top('b'), []);
    model.applyData({ type: 'reviewData', datasetFile: 'f', labels: [], predictions: { ...predictions, version: 3, top: Int16Array.from([1, 0, 0, 1, 1, 0]), probs: Float32Array.from([0.8, 0.2, 0.6, 0.4, 0.7, 0.3]) } });
    assert.deepEqual(model.top('b').map((p) => p.label), ['y', 'x'], 'the new predictions follow the new rows');
  });
});

describe('hover text', () => {
  it('escapes data so a label cannot become a link; the only links run the apply command', () => {
    const evil = '[x](command:workbench.action.terminal.new)';
    const md = hoverMarkdown(
      '/d/data.jsonl',
      'a',
      { human: { labels: [evil], annotator: '<b>me</b>', source: 'queue', time: 't' }, top: [{ label: 'sports', probability: 0.93 }] },
      [completeEvent({ type: 'label', itemId: 'a', labels: [evil], annotator: '<b>me</b>', source: 'queue', strategy: 'margin' })],
      [
        { name: 'sports', key: '1' },
        { name: evil, key: '2' },
      ],
    );
    const links = [...md.matchAll(/\]\((command:[^?)]+)/g)].map((m) => m[1]);
    assert.deepEqual(links, [`command:${APPLY_COMMAND}`, `command:${APPLY_COMMAND}`]);
    assert.ok(!md.includes('<b>'), 'HTML is escaped');
    assert.match(md, /sports 0\.93/);
    assert.match(md, /margin/);
    const args = JSON.parse(decodeURIComponent(/command:activeLabel\.applyReview\?([^)]+)\)/.exec(md)?.[1] ?? '')) as [{ file: string; decisions: { itemId: string; labels: string[] }[] }];
    assert.deepEqual(args[0], { file: '/d/data.jsonl', decisions: [{ itemId: 'a', labels: ['sports'] }] });
  });

  it('escapeMarkdown leaves no unescaped markup character', () => {
    assert.equal(escapeMarkdown('a*b_[c]'), 'a\\*b\\_\\[c\\]');
  });
});
