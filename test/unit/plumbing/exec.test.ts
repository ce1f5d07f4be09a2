import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { logExcerpt, runLogged } from '../../../src/plumbing/exec.js';

test('a failing step reports its exit status, the end of its log and the log path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-exec-'));
  const logFile = join(dir, 'step.log');
  await assert.rejects(
    runLogged(['sh', '-c', 'for i in $(seq 1 50); do echo line $i; done; echo "x.c:1: error: boom" >&2; exit 3'], {
      cwd: dir, env: process.env, logFile, label: 'demo step',
    }),
    (error: Error) => {
      assert.match(error.message, /demo step failed \(exit status 3\)/);
      assert.match(error.message, /error: boom/);
      assert.match(error.message, /line 50/);
      assert.doesNotMatch(error.message, /line 10\n/);
      assert.ok(error.message.includes(`full log: ${logFile}`));
      return true;
    },
  );
});

test('a missing program is reported, not thrown as a raw spawn error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-exec-'));
  await assert.rejects(
    runLogged(['/nonexistent/tool'], { cwd: dir, env: process.env, logFile: join(dir, 'l.log'), label: 'tool' }),
    /tool failed \(could not start \/nonexistent\/tool/,
  );
});

test('the excerpt keeps buried error lines and cuts very long lines', () => {
  const log = ['a.c:3: error: first', ...Array.from({ length: 40 }, (_, i) => `noise ${i} ${'x'.repeat(500)}`)].join('\n');
  const excerpt = logExcerpt(log);
  assert.match(excerpt, /^a\.c:3: error: first\n…\n/);
  assert.ok(excerpt.split('\n').every((l) => l.length <= 302));
});
