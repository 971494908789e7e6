import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { agreementReport, annotationsOf } from '../../../src/core/evaluation/agreementReport';
import { completeEvent, LabelState, type LabelEventInput } from '../../../src/core/labels';

function stateOf(events: ReadonlyArray<[string, string, string[], Partial<LabelEventInput>?]>): LabelState {
  const state = new LabelState();
  for (const [annotator, itemId, labels, extra] of events) {
    state.apply(completeEvent({ type: 'label', itemId, labels, annotator, source: 'queue', ...extra }));
  }
  return state;
}

/** markdown-it is the renderer of VS Code's Markdown preview (a dev dependency, pinned). */
const render = (markdown: string): string => {
  const MarkdownIt = createRequire(__filename)('markdown-it') as new (options?: object) => { render(src: string): string };
  return new MarkdownIt({ html: true, linkify: true }).render(markdown);
};

describe('the Show Agreement report', () => {
  it("gives each pair's kappa and confusion table, alpha, and the open disagreements", () => {
    // alice and bob on i1..i4: [a, a, b, b] vs [a, b, b, b]: po = 0.75, pe = 0.5, kappa = 0.5 (by hand).
    const state = stateOf([
      ['alice', 'i1', ['a']], ['alice', 'i2', ['a']], ['alice', 'i3', ['b']], ['alice', 'i4', ['b']],
      ['bob', 'i1', ['a']], ['bob', 'i2', ['b']], ['bob', 'i3', ['b']], ['bob', 'i4', ['b']],
      ['carol', 'i1', ['a']], ['carol', 'i5', ['b']],
      // a reviewer settles nothing yet on i2, but reviews i5: not counted as an annotator
      ['rev', 'i5', ['b'], { source: 'review' }],
    ]);
    const report = agreementReport({ datasetName: 'data.jsonl', state: state.labels });
    assert.match(report, /^# Annotator agreement: data\\\.jsonl$/m);
    assert.match(report, /\*\*3 annotators\*\* labeled 5 items: alice \(4 items\), bob \(4 items\), carol \(2 items\)\./);
    assert.match(report, /^\| alice \| bob \| 4 \| 3 \(75\.0%\) \| 0\.500 \|$/m);
    assert.match(report, /^\| alice \| carol \| 1 \| 1 \(100\.0%\) \| 1\.000 \|$/m);
    assert.match(report, /^\| bob \| carol \| 1 \| 1 \(100\.0%\) \| 1\.000 \|$/m);
    assert.doesNotMatch(report, /\| rev \|/);
    // Confusion of alice (rows) and bob (columns): a->a 1, a->b 1, b->b 2.
    assert.match(report, /^\| \*\*a\*\* \| 1 \| 1 \|$/m);
    assert.match(report, /^\| \*\*b\*\* \| 0 \| 2 \|$/m);
    assert.match(report, /α = \*\*\d\.\d{3}\*\*, over all 3 annotators/);
    assert.match(report, /Disagreements waiting for a review \(1, most recent first\)/);
    assert.match(report, /^\| i2 \| alice: a; bob: b \| b \|$/m);
    assert.match(report, /on 1 of them the labels differ: 0 settled by a review, 1 waiting for one/);
  });

  it('leaves reviews out of the statistics', () => {
    const state = stateOf([['alice', 'x', ['a']], ['rev', 'x', ['b'], { source: 'review' }]]);
    assert.deepEqual(annotationsOf(state.labels).map((a) => a.annotator), ['alice']);
  });

  it('with one annotator, says so and how to get a second (a branch, a merge)', () => {
    const report = agreementReport({ datasetName: 'd.csv', state: stateOf([['alice', 'x', ['a']], ['alice', 'y', ['b']]]).labels });
    assert.match(report, /Only one annotator, \*\*alice\*\*, has labeled this dataset \(2 items\)/);
    assert.match(report, /git switch -c bob/);
    assert.match(report, /git merge bob/);
    assert.match(report, /merge=union/);
    assert.doesNotMatch(report, /Cohen's κ per pair/);
    assert.match(agreementReport({ datasetName: 'd.csv', state: new Map() }), /Nobody has labeled this dataset yet/);
  });

  it('shows names, labels, item ids and problems from data as text, never as markup', () => {
    const evil = {
      annotator: '[click](command:workbench.action.terminal.new)',
      label: '<img src=x onerror=alert(1)>',
      item: '# heading | cell\nnext **bold** http://example.com',
    };
    const state = stateOf([
      [evil.annotator, evil.item, [evil.label]],
      ['bob', evil.item, ['*b*']],
    ]);
    const report = agreementReport({
      datasetName: '[x](https://example.com).jsonl',
      state: state.labels,
      problems: ['labels.jsonl:3: <script>alert(1)</script>'],
    });
    const html = render(report);
    assert.doesNotMatch(html, /<a |<img|<script|<strong>b|<em>b<\/em>|<h1>heading/);
    // The text itself is there, readable.
    assert.ok(html.includes('[click](command:workbench.action.terminal.new)'), 'the annotator name reads as typed');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('# heading | cell next **bold** http://example.com'));
    assert.ok(html.includes('*b*'));
    assert.ok(html.includes('&lt;script&gt;'));
    // The table rows still have their cells: the '|' in the item id did not split one.
    assert.match(html, /<td>\[click\]\(command:workbench\.action\.terminal\.new\): &lt;img src=x onerror=alert\(1\)&gt;; bob: \*b\*<\/td>/);
  });
});
