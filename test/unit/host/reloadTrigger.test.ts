/**
 * A burst of change reports (a git checkout writing the file in steps, the watcher and the editor
 * both reporting one save) becomes one reload, once the file is quiet. Driven by node:test's mock
 * timers: no real waiting, no timing assertions.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { ReloadTrigger, RELOAD_QUIET_MS } from '../../../src/host/reloadTrigger';

test('changes in a burst make one reload after the quiet time; a later change makes another', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const reload = mock.fn();
  const trigger = new ReloadTrigger(reload);
  trigger.changed();
  t.mock.timers.tick(RELOAD_QUIET_MS - 1);
  trigger.changed();
  t.mock.timers.tick(RELOAD_QUIET_MS - 1);
  trigger.changed();
  assert.equal(reload.mock.callCount(), 0, 'still changing');
  assert.equal(trigger.pending, true);
  t.mock.timers.tick(RELOAD_QUIET_MS);
  assert.equal(reload.mock.callCount(), 1, 'one reload for the burst');
  assert.equal(trigger.pending, false);
  trigger.changed();
  t.mock.timers.tick(RELOAD_QUIET_MS);
  assert.equal(reload.mock.callCount(), 2);
});

test('a disposed trigger (the session closed) never reloads', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const reload = mock.fn();
  const trigger = new ReloadTrigger(reload);
  trigger.changed();
  trigger.dispose();
  trigger.changed();
  t.mock.timers.tick(RELOAD_QUIET_MS * 10);
  assert.equal(reload.mock.callCount(), 0);
});
