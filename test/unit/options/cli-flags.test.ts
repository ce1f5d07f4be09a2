import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readInspectFlags, UsageError } from '../../../src/options/cli-flags.js';

test('readInspectFlags: one binary and at most one view', () => {
  assert.deepEqual(readInspectFlags(['app']), { help: false, binary: 'app', view: 'text' });
  assert.deepEqual(readInspectFlags(['--sbom', 'app']), { help: false, binary: 'app', view: 'sbom' });
  assert.deepEqual(readInspectFlags(['app', '--notices']), { help: false, binary: 'app', view: 'notices' });
  assert.deepEqual(readInspectFlags(['--json', 'app']), { help: false, binary: 'app', view: 'json' });
  assert.deepEqual(readInspectFlags(['-h']), { help: true });
});

test('readInspectFlags: usage errors say what to give', () => {
  assert.throws(() => readInspectFlags([]), (e: unknown) => e instanceof UsageError && /inspect needs a binary/.test(e.message));
  assert.throws(() => readInspectFlags(['a', 'b']), (e: unknown) => e instanceof UsageError && /one binary, got 2: a b/.test(e.message));
  assert.throws(() => readInspectFlags(['--json', '--sbom', 'a']), (e: unknown) => e instanceof UsageError && /give one of --json, --sbom, --notices/.test(e.message));
  assert.throws(() => readInspectFlags(['--bogus', 'a']), /Unknown option '--bogus'/);
});
