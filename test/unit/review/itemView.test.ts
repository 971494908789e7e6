import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelState, completeEvent } from '../../../src/core/labels';
import { diagnosticsFingerprint, suspectDiagnostics } from '../../../src/core/review/diagnostics';
import { STRONG_CHANGE, decorationFor, oneLine, suspectShown, type HumanLabel, type Suspect } from '../../../src/core/review/itemView';
import { LineItemMapper } from '../../../src/core/review/lineItems';
import { humanLabelOf, reviewEvent } from '../../../src/core/review/reviewEvents';

const human = (labels: string[], annotator = 'ana', extra: Partial<HumanLabel> = {}): HumanLabel => ({ labels, annotator, source: 'queue', time: '2026-01-01T00:00:00Z', ...extra });
const suspect: Suspect = { given: 'sports', suggested: 'business', score: 0.9, suggestedProb: 0.94 };

describe('decoration text', () => {
  it('a suspect, else the human label, else the prediction', () => {
    const top = [{ label: 'sports', probability: 0.934 }];
    assert.deepEqual(decorationFor({ human: human(['sports']), top, suspect }), { kind: 'suspect', text: '⚠ sports → business 0.94' });
    assert.deepEqual(decorationFor({ human: human(['sports']), top }), { kind: 'human', text: '✓ sports · ana' });
    assert.deepEqual(decorationFor({ top }), { kind: 'prediction', text: 'sports 0.93' });
    assert.equal(decorationFor({ top: [] }), undefined);
  });

  it('reviewed labels say so; multi-label lists every label; an empty annotator is left out', () => {
    assert.equal(decorationFor({ human: human(['a'], 'bo', { source: 'review' }), top: [] })?.text, '✓ a · bo · reviewed');
    assert.equal(decorationFor({ human: human(['a', 'b'], ''), top: [] })?.text, '✓ a, b');
  });

  it('data text cannot break the line: controls and line breaks become spaces, long names are cut', () => {
    const text = decorationFor({ human: human(['line\nbreak'], 'x\u0007y'), top: [] })?.text ?? '';
    assert.equal(text, '✓ line break · x y');
    assert.equal(oneLine('z'.repeat(100)).length, 40);
  });
});

describe('when a suspect is shown', () => {
  it('only while the item still has the label the suspect judged', () => {
    assert.equal(suspectShown(suspect, human(['sports'])), true);
    assert.equal(suspectShown(suspect, human(['business'])), false);
    assert.equal(suspectShown(suspect, undefined), false);
  });

  it('a kept (reviewed) label is flagged again only when the score rises by STRONG_CHANGE', () => {
    const kept = human(['sports'], 'rev', { source: 'review', reviewedScore: 0.7 });
    assert.equal(suspectShown({ ...suspect, score: 0.7 + STRONG_CHANGE - 0.01 }, kept), false);
    assert.equal(suspectShown({ ...suspect, score: 0.7 + STRONG_CHANGE }, kept), true);
    const unscored = human(['sports'], 'rev', { source: 'review' });
    assert.equal(suspectShown({ ...suspect, score: 0.6 }, unscored), false);
    assert.equal(suspectShown({ ...suspect, score: 0.66 }, unscored), true);
  });
});

describe('diagnostics from suspects and the line mapping', () => {
  const row = (id: string, text: string): string => JSON.stringify({ id, text });
  const mapper = new LineItemMapper({ format: 'jsonl', textField: 'text', idField: 'id', hasHeader: false });

  it('one warning per line of a suspect item, with the message and the fix data; none for hidden suspects', () => {
    const map = mapper.map([row('a', 'goal scored'), '', row('b', 'stocks up'), row('c', 'rain')].join('\n'));
    const suspects = new Map<string, Suspect>([
      ['a', suspect],
      ['b', { given: 'business', suggested: 'sports', score: 0.8, suggestedProb: 0.75 }],
      ['c', { given: 'weather', suggested: 'sports', score: 0.8, suggestedProb: 0.8 }],
      ['gone', suspect],
    ]);
    const humans = new Map<string, HumanLabel>([
      ['a', human(['sports'])],
      ['b', human(['business'], 'rev', { source: 'review', reviewedScore: 0.79 })],
      ['c', human(['sports'])],
    ]);
    const records = suspectDiagnostics(map, suspects, (id) => humans.get(id));
    assert.deepEqual(records.map((r) => [r.line, r.itemId, r.message, r.suggested]), [[0, 'a', 'Labeled "sports" but the model predicts "business" (0.94)', 'business']]);
  });

  it('moves with the item when lines are inserted above it; the fingerprint tells a change', () => {
    const suspects = new Map([['a', suspect]]);
    const humanOf = (): HumanLabel => human(['sports']);
    const before = suspectDiagnostics(mapper.map(row('a', 'goal scored')), suspects, humanOf);
    const after = suspectDiagnostics(mapper.map([row('n', 'new'), row('a', 'goal scored')].join('\n')), suspects, humanOf);
    assert.equal(before[0]?.line, 0);
    assert.equal(after[0]?.line, 1);
    assert.notEqual(diagnosticsFingerprint(before), diagnosticsFingerprint(after));
    assert.equal(diagnosticsFingerprint(after), diagnosticsFingerprint(suspectDiagnostics(mapper.map([row('n', 'new'), row('a', 'goal scored')].join('\n')), suspects, humanOf)));
  });
});

describe('review events', () => {
  it('are label events with source review, the reviewer, the strategy and the score; replay reads them back', () => {
    const input = reviewEvent({ itemId: 'a', labels: ['sports'], score: 0.9, fromSuspect: true, modelVersion: 3 }, 'rev');
    assert.deepEqual(input, { type: 'label', itemId: 'a', labels: ['sports'], annotator: 'rev', source: 'review', strategy: 'confident-learning', score: 0.9, modelVersion: '3' });
    const state = new LabelState();
    state.apply(completeEvent({ type: 'label', itemId: 'a', labels: ['sports'], annotator: 'ana', source: 'queue' }));
    state.apply(completeEvent(input));
    const h = humanLabelOf(state.get('a'));
    assert.deepEqual([h?.labels, h?.annotator, h?.source, h?.reviewedScore], [['sports'], 'rev', 'review', 0.9]);
    assert.equal(suspectShown({ ...suspect, score: 0.95 }, h), false, 'kept: not flagged again for a small rise');
  });
});
