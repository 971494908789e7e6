import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasLinkSyntax, plainText } from '../../../src/shared/plainText';

test('a file name that is a command link is shown as text, readable, in a notification', () => {
  const name = '[Show details](command:workbench.action.terminal.new).jsonl';
  assert.ok(hasLinkSyntax(`Active Label skipped 1 of 2 rows of ${name}.`), 'the raw name would be a link');
  const shown = plainText(`Active Label skipped 1 of 2 rows of ${name}.`);
  assert.equal(hasLinkSyntax(shown), false);
  assert.equal(shown, 'Active Label skipped 1 of 2 rows of [Show details] (command:workbench.action.terminal.new).jsonl.');
  for (const link of ['[a](https://x.y)', '[a]\u200b(file:///etc/passwd)', 'keys: [x](command:a), [y](COMMAND:b)']) {
    assert.equal(hasLinkSyntax(plainText(link)), false, link);
  }
  assert.equal(plainText('no links (here) [or] there'), 'no links (here) [or] there', 'ordinary text is unchanged');
});
