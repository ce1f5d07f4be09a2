import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayWriteActionsCache } from '../../../src/runner/interpreter-cache.js';

test('runs that may execute code from outside the repository save nothing to the Actions cache', () => {
  for (const event of ['pull_request_target', 'workflow_run']) {
    const verdict = mayWriteActionsCache(event);
    assert.equal(verdict.allowed, false, event);
    assert.match((verdict as { why: string }).why, new RegExp(`a ${event} run may execute code from outside the repository`));
  }
  for (const event of ['push', 'pull_request', 'release', 'workflow_dispatch', 'schedule']) assert.equal(mayWriteActionsCache(event).allowed, true, event);
});
